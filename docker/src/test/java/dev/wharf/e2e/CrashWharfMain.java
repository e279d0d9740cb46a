package dev.wharf.e2e;

import dev.wharf.testing.BackendExporterFactory;

import dev.wharf.embed.Wharf;
import dev.wharf.extension.filestorage.FileStorageExtensionFactory;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.testing.TestComponents;
import dev.wharf.testing.TestData;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in its own JVM by {@link CrashRecoveryProcessTest}. {@code down <dir> <n>}: a Wharf whose
 * exporter's backend is down, with a persistent queue in {@code dir}, takes requests and prints
 * {@code ACCEPTED i} for each one the pipeline accepted, until it is killed. {@code up <dir>}: the
 * same Wharf with the backend up prints {@code DELIVERED i} for every request the backend gets, then
 * {@code IDLE} once nothing arrived for a second.
 */
public final class CrashWharfMain {
  private CrashWharfMain() {}

  /** The backend: refuses while down; when up, prints each delivered request's number. */
  static BackendExporterFactory backend(boolean up, PrintStream out, AtomicLong lastDelivery) {
    return new BackendExporterFactory("backend", (data, timeout) -> {
      if (!up) {
        throw RefusedException.unavailable("backend down");
      }
      String svc = data.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue();
      out.println("DELIVERED " + svc.substring("crash-".length()));
      lastDelivery.set(System.nanoTime());
    });
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    boolean up = args[0].equals("up");
    String yaml = """
        extensions:
          file_storage:
            directory: %s
            create_directory: true
        receivers:
          testrcv:
        exporters:
          backend:
            retry_on_failure:
              initial_interval: 50ms
              max_interval: 100ms
              max_elapsed_time: 0
            sending_queue:
              storage: file_storage
              queue_size: 100000
              num_consumers: 4
        service:
          shutdown:
            timeout: 2s
          extensions: [file_storage]
          pipelines:
            traces:
              receivers: [testrcv]
              exporters: [backend]
        """.formatted(args[1]);
    TestComponents tc = new TestComponents();
    AtomicLong lastDelivery = new AtomicLong(System.nanoTime());
    BackendExporterFactory backend = backend(up, out, lastDelivery);
    try (Wharf w = Wharf.builder().config(yaml)
        .components(tc.components(backend, new FileStorageExtensionFactory())).start()) {
      if (up) {
        while (System.nanoTime() - lastDelivery.get() < 1_000_000_000L) {
          Thread.sleep(100);
        }
        out.println("IDLE");
        return;
      }
      int n = Integer.parseInt(args[2]);
      for (int i = 0; i < n; i++) {
        try {
          tc.sendTraces("testrcv", TestData.traces("crash-" + i, 2, i));
          out.println("ACCEPTED " + i);
        } catch (RefusedException e) {
          out.println("REFUSED " + i);
        }
      }
      out.println("SENT");
      Thread.sleep(60_000);
    }
  }
}
