package dev.wharf.e2e;

import dev.wharf.testing.BackendExporterFactory;

import com.google.protobuf.ByteString;
import dev.wharf.embed.Wharf;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.batch.BatchProcessorFactory;
import dev.wharf.processor.memorylimiter.MemoryLimiterProcessorFactory;
import dev.wharf.testing.TestComponents;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Run in its own small JVM by {@link OverloadProcessTest}: a pipeline memory_limiter → batch → an
 * exporter (on the shared exporter helper, in-memory queue) that can send about 100k spans/s, fed a
 * 5-second burst of about 200k spans/s of fresh requests. Prints what was accepted, refused and
 * delivered and the peak RSS.
 */
public final class OverloadMain {
  private OverloadMain() {}

  /** A backend that takes about 100 spans per millisecond: far slower than the burst. */
  static BackendExporterFactory slowBackend(AtomicLong delivered) {
    return new BackendExporterFactory("slow", (data, timeout) -> {
      int spans = Signal.TRACES.itemCount(data);
      try {
        Thread.sleep(Math.max(1, spans / 100));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RefusedException.unavailable("interrupted");
      }
      delivered.addAndGet(spans);
    });
  }

  static TracesData request(long seq, int spans) {
    String pad = "x".repeat(200);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      ByteBuffer id = ByteBuffer.allocate(16).putLong(seq).putLong(i);
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(id.array()))
          .setSpanId(ByteString.copyFrom(id.array(), 8, 8)).setName("op-" + i)
          .addAttributes(KeyValue.newBuilder().setKey("payload")
              .setValue(AnyValue.newBuilder().setStringValue(pad + seq + "-" + i))));
    }
    return TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("burst"))))
        .addScopeSpans(ss)).build();
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    TestComponents tc = new TestComponents();
    AtomicLong delivered = new AtomicLong();
    BackendExporterFactory slow = slowBackend(delivered);
    String yaml = """
        receivers:
          testrcv:
        processors:
          memory_limiter:
            check_interval: 100ms
            limit_mib: 64
            spike_limit_mib: 16
          batch:
            send_batch_size: 2000
            timeout: 100ms
        exporters:
          slow:
            sending_queue:
              queue_size: 100000
              num_consumers: 2
        service:
          shutdown:
            timeout: 30s
          pipelines:
            traces:
              receivers: [testrcv]
              processors: [memory_limiter, batch]
              exporters: [slow]
        """;
    long accepted = 0;
    long refused = 0;
    try (Wharf w = Wharf.builder().config(yaml).components(tc.components(new MemoryLimiterProcessorFactory(),
        new BatchProcessorFactory(), slow)).start()) {
      long start = System.nanoTime();
      long seq = 0;
      // 5 s at 2000 requests of 100 spans per second: twice what the exporter can send.
      while (System.nanoTime() - start < 5_000_000_000L) {
        long due = start + seq * 500_000L;
        long now = System.nanoTime();
        if (due > now) {
          Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
        }
        TracesData r = request(seq++, 100);
        try {
          tc.sendTraces("testrcv", r);
          accepted += 100;
        } catch (RefusedException e) {
          if (!e.retryable()) {
            throw e;
          }
          refused += 100;
        }
      }
      out.println("ACCEPTED " + accepted);
      out.println("REFUSED " + refused);
      out.println("LIMITER_REFUSED " + (long) w.telemetry().registry().value("otelcol_processor_refused_spans"));
      long deadline = System.nanoTime() + 40_000_000_000L;
      while (delivered.get() < accepted && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      out.println("DELIVERED " + delivered.get());
    }
    out.println("VMHWM_KB " + peakRssKb());
    out.println("DONE");
  }

  static long peakRssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
