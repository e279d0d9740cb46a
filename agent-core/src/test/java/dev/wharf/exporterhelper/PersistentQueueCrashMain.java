package dev.wharf.exporterhelper;

import dev.wharf.pipeline.Signal;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Run in a separate JVM by {@link PersistentSendingQueueTest}: enqueues requests into a persistent
 * queue (and completes every third one it takes), printing a line after each accepted or completed
 * request, until the test kills it with {@code destroyForcibly} (SIGKILL).
 *
 * <p>Args: queue directory, number of requests (a bound, the test kills it long before).
 */
public final class PersistentQueueCrashMain {
  private PersistentQueueCrashMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    PersistentSendingQueue.Options o = PersistentSendingQueue.Options.defaults();
    PersistentSendingQueue.Options small = new PersistentSendingQueue.Options(false, 0, 64 * 1024,
        o.lockTimeout(), false, false, o.reboundNeededBytes(), o.reboundTriggerBytes(), o.maxTransactionSize(),
        o.reboundCheckInterval());
    PersistentSendingQueue<TracesData> q = PersistentSendingQueue.open(dir, Signal.TRACES, 1_000_000, small,
        Logger.getLogger("crash"), c -> { });
    out.println("READY");
    for (int i = 0; i < n; i++) {
      if (q.offer(TestData.traces("crash-" + i, 3, i), 1)) {
        out.println("ACCEPTED " + i);
      }
      if (i % 3 == 0) {
        SendingQueue.Entry<TracesData> e = q.poll(0);
        if (e != null) {
          String svc = e.request().getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue();
          out.println("COMPLETING " + svc.substring("crash-".length()));
          e.complete();
          out.println("COMPLETED " + svc.substring("crash-".length()));
        }
      }
    }
    out.println("DONE");
    Thread.sleep(60_000);
  }
}
