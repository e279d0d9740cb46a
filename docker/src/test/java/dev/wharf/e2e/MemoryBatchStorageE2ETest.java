package dev.wharf.e2e;

import dev.wharf.testing.BackendExporterFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.embed.Wharf;
import dev.wharf.extension.filestorage.FileStorageExtensionFactory;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.batch.BatchProcessorFactory;
import dev.wharf.processor.memorylimiter.MemoryLimiterProcessorFactory;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestComponents;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * memory_limiter, batch and file_storage wired by the real Service from YAML: the config keys bind,
 * the limiter refuses retryably end to end, batches are flushed at shutdown, and a persistent
 * sending queue carries accepted data across a restart.
 */
class MemoryBatchStorageE2ETest {
  @TempDir
  Path dir;

  @Test
  void batchFlushesOnShutdownThroughTheService() throws Exception {
    TestComponents tc = new TestComponents();
    String yaml = """
        receivers:
          testrcv:
        processors:
          memory_limiter:
            check_interval: 1s
            limit_mib: 1000000
          batch:
            send_batch_size: 1000
            timeout: 1h
        exporters:
          testexp:
        service:
          pipelines:
            traces:
              receivers: [testrcv]
              processors: [memory_limiter, batch]
              exporters: [testexp]
            logs:
              receivers: [testrcv]
              processors: [memory_limiter, batch]
              exporters: [testexp]
        """;
    Wharf w = Wharf.builder().config(yaml)
        .components(tc.components(new BatchProcessorFactory(), new MemoryLimiterProcessorFactory())).start();
    for (int i = 0; i < 50; i++) {
      tc.sendTraces("testrcv", TestData.traces("svc", 3, i));
      tc.receivers.get("testrcv").logs().consume(TestData.logs("svc", 2));
    }
    RecordingConsumer<TracesData> traces = tc.exported("testexp", Signal.TRACES);
    assertThat(traces.itemCount()).isZero(); // neither full nor timed out: still in the batch
    w.close();
    assertThat(traces.itemCount()).isEqualTo(150);
    RecordingConsumer<LogsData> logs = tc.exported("testexp", Signal.LOGS);
    assertThat(logs.itemCount()).isEqualTo(100);
    assertThat(traces.received()).hasSize(1);
    assertThat(TestContexts.metric(w.telemetry(), "otelcol_processor_batch_timeout_trigger_send",
        "processor", "batch")).isEqualTo(2);
  }

  @Test
  void memoryLimiterRefusesRetryablyAboveItsLimit() throws Exception {
    TestComponents tc = new TestComponents();
    // 1 MiB: any JVM is above it, so after the first check every request is refused.
    String yaml = """
        receivers:
          testrcv:
        processors:
          memory_limiter:
            check_interval: 50ms
            limit_mib: 1
            max_gc_interval_when_hard_limited: 10s
            max_gc_interval_when_soft_limited: 10s
        exporters:
          testexp:
        service:
          pipelines:
            traces:
              receivers: [testrcv]
              processors: [memory_limiter]
              exporters: [testexp]
        """;
    try (Wharf w = Wharf.builder().config(yaml)
        .components(tc.components(new MemoryLimiterProcessorFactory())).start()) {
      assertThat(RecordingConsumer.await(() -> TestContexts.metric(w.telemetry(), "wharf_memory_limiter_refusing",
          "processor", "memory_limiter") == 1, Duration.ofSeconds(10))).isTrue();
      assertThatThrownBy(() -> tc.sendTraces("testrcv", TestData.traces("svc", 4, 1)))
          .isInstanceOfSatisfying(RefusedException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).isEqualTo("data refused due to high memory usage");
          });
      assertThat(TestContexts.metric(w.telemetry(), "otelcol_processor_refused_spans", "processor",
          "memory_limiter")).isEqualTo(4);
      assertThat(tc.exported("testexp", Signal.TRACES).itemCount()).isZero();
    }
  }

  /** An exporter on the shared exporter helper whose backend refuses while down. */
  static BackendExporterFactory switchable(AtomicBoolean up, RecordingConsumer<TracesData> backend) {
    return new BackendExporterFactory("switchable", (data, timeout) -> {
      if (!up.get()) {
        throw RefusedException.unavailable("backend down");
      }
      backend.consume(data);
    });
  }

  @Test
  void persistentQueueCarriesAcceptedDataAcrossARestart() throws Exception {
    String yaml = """
        extensions:
          file_storage:
            directory: %s
            create_directory: true
            fsync: true
        receivers:
          testrcv:
        exporters:
          switchable:
            retry_on_failure:
              initial_interval: 10ms
              max_interval: 20ms
              max_elapsed_time: 0
            sending_queue:
              storage: file_storage
              queue_size: 100
        service:
          shutdown:
            timeout: 1s
          extensions: [file_storage]
          pipelines:
            traces:
              receivers: [testrcv]
              exporters: [switchable]
        """.formatted(dir.resolve("queue"));
    TestComponents run1 = new TestComponents();
    RecordingConsumer<TracesData> downBackend = new RecordingConsumer<>(Signal.TRACES);
    BackendExporterFactory down = switchable(new AtomicBoolean(false), downBackend);
    try (Wharf w = Wharf.builder().config(yaml).components(run1.components(down, new FileStorageExtensionFactory()))
        .start()) {
      for (int i = 0; i < 20; i++) {
        run1.sendTraces("testrcv", TestData.traces("r" + i, 2, i));
      }
    }
    assertThat(downBackend.itemCount()).isZero();

    TestComponents run2 = new TestComponents();
    RecordingConsumer<TracesData> upBackend = new RecordingConsumer<>(Signal.TRACES);
    BackendExporterFactory up = switchable(new AtomicBoolean(true), upBackend);
    try (Wharf w = Wharf.builder().config(yaml).components(run2.components(up, new FileStorageExtensionFactory()))
        .start()) {
      assertThat(upBackend.awaitItems(40, Duration.ofSeconds(20))).isTrue();
    }
    assertThat(upBackend.received()).hasSize(20);
  }
}
