package dev.wharf.extension.filestorage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.ExtensionFactory;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.exporterhelper.ExporterSettings;
import dev.wharf.exporterhelper.QueueSettings;
import dev.wharf.exporterhelper.RetrySettings;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageExtensionTest {
  @TempDir
  Path dir;

  private static FileStorageConfig parse(Map<String, Object> raw, ConfigProblems problems) {
    ConfigNode n = ConfigNode.of("extensions.file_storage", raw, problems);
    FileStorageConfig c = FileStorageConfig.parse(n);
    n.checkUnknownKeys();
    return c;
  }

  @Test
  void defaultsAndValidation() {
    ConfigProblems problems = new ConfigProblems();
    FileStorageConfig c = parse(Map.of("directory", dir.toString()), problems);
    assertThat(problems.isEmpty()).as(problems.toString()).isTrue();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.fsync()).isFalse();
    assertThat(c.createDirectory()).isFalse();
    assertThat(c.directoryPermissions()).isEqualTo("0750");
    assertThat(c.compaction().onStart()).isFalse();
    assertThat(c.compaction().onRebound()).isFalse();
    assertThat(c.compaction().directory()).isEqualTo(dir);
    assertThat(c.compaction().maxTransactionSize()).isEqualTo(65536);
    assertThat(c.compaction().reboundNeededThresholdMib()).isEqualTo(100);
    assertThat(c.compaction().reboundTriggerThresholdMib()).isEqualTo(10);
    assertThat(c.compaction().checkInterval()).isEqualTo(Duration.ofSeconds(5));

    problems = new ConfigProblems();
    Map<String, Object> bad = new HashMap<>();
    bad.put("directory", dir.resolve("missing").toString());
    bad.put("directory_permissions", "rwx");
    bad.put("fsyn", true);
    bad.put("compaction", Map.of("on_strat", true, "max_transaction_size", -1));
    parse(bad, problems);
    assertThat(problems.toString())
        .contains("extensions.file_storage.directory: directory must exist")
        .contains("extensions.file_storage.directory_permissions: expected octal permissions")
        .contains("extensions.file_storage.fsyn: unknown key, did you mean 'fsync'?")
        .contains("extensions.file_storage.compaction.on_strat: unknown key, did you mean 'on_start'?")
        .contains("extensions.file_storage.compaction.max_transaction_size: must not be negative");

    problems = new ConfigProblems();
    parse(Map.of("directory", dir.resolve("later").toString(), "create_directory", true), problems);
    assertThat(problems.isEmpty()).isTrue();
  }

  @Test
  void createsTheDirectoryWithItsPermissions() throws Exception {
    Path target = dir.resolve("a/b");
    FileStorageConfig c = parse(Map.of("directory", target.toString(), "create_directory", true,
        "directory_permissions", "0700"), new ConfigProblems());
    FileStorageExtension ext = (FileStorageExtension) new FileStorageExtensionFactory().createExtension(
        TestContexts.context("file_storage", ComponentKind.EXTENSION, null), c);
    ext.start(new TestHost());
    assertThat(Files.isDirectory(target)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rwx------");
    ext.shutdown(System.nanoTime());
  }

  @Test
  void sanitizesQueueNamesAsUpstream() {
    assertThat(FileStorageExtension.sanitize("otlp/backend-traces")).isEqualTo("otlp~002Fbackend-traces");
    assertThat(FileStorageExtension.sanitize("a~b c.d_e")).isEqualTo("a~007Eb~0020c.d_e");
  }

  @Test
  void factoryIsFoundThroughServiceLoader() {
    boolean found = false;
    for (ExtensionFactory<?> f : ServiceLoader.load(ExtensionFactory.class)) {
      found |= f.type().equals("file_storage");
    }
    assertThat(found).isTrue();
  }

  /**
   * The exporter helper with {@code sending_queue.storage: file_storage}: what the backend could not
   * take before shutdown is kept on disk and sent by the next run.
   */
  @Test
  void exporterQueueSurvivesARestartThroughTheExtension() throws Exception {
    FileStorageConfig c = parse(Map.of("directory", dir.toString()), new ConfigProblems());
    ExporterSettings settings = new ExporterSettings(Duration.ofSeconds(1),
        new QueueSettings(true, 2, 100, QueueSettings.Sizer.REQUESTS, false, false,
            dev.wharf.component.ComponentId.parse("file_storage")),
        new RetrySettings(true, Duration.ofMillis(10), 0, 1.5, Duration.ofMillis(20), Duration.ZERO));

    // Run 1: the backend is down (retryable), 5 requests are accepted, then the service stops.
    SelfTelemetry t1 = SelfTelemetry.inMemory();
    FileStorageExtension ext1 = (FileStorageExtension) new FileStorageExtensionFactory().createExtension(
        TestContexts.context("file_storage", ComponentKind.EXTENSION, null, t1, Map.of()), c);
    ext1.start(new TestHost());
    TestHost host1 = new TestHost().withExtension("file_storage", ext1);
    ExporterHelper<TracesData> down = ExporterHelper.builder(
        TestContexts.context("otlp/backend", ComponentKind.EXPORTER, Signal.TRACES, t1, Map.of()),
        Signal.TRACES, settings, (data, timeout) -> {
          throw RefusedException.unavailable("backend down");
        }).build();
    down.start(host1);
    for (int i = 0; i < 5; i++) {
      down.consume(TestData.traces("r" + i, 2, i));
    }
    Thread.sleep(50);
    down.shutdown(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
    ext1.shutdown(System.nanoTime());
    assertThat(down.droppedAtShutdown()).isZero();
    assertThat(TestContexts.metric(t1, "otelcol_exporter_sent_spans", "exporter", "otlp/backend")).isZero();
    assertThat(Files.isDirectory(dir.resolve("exporter_otlp~002Fbackend-traces"))).isTrue();

    // Run 2: the backend is back; everything accepted in run 1 arrives.
    SelfTelemetry t2 = SelfTelemetry.inMemory();
    FileStorageExtension ext2 = (FileStorageExtension) new FileStorageExtensionFactory().createExtension(
        TestContexts.context("file_storage", ComponentKind.EXTENSION, null, t2, Map.of()), c);
    ext2.start(new TestHost());
    CopyOnWriteArrayList<TracesData> got = new CopyOnWriteArrayList<>();
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    ExporterHelper<TracesData> up = ExporterHelper.builder(
        TestContexts.context("otlp/backend", ComponentKind.EXPORTER, Signal.TRACES, t2, Map.of()),
        Signal.TRACES, settings, (data, timeout) -> {
          got.add(data);
          sink.consume(data);
        }).build();
    up.start(new TestHost().withExtension("file_storage", ext2));
    assertThat(sink.awaitItems(10, Duration.ofSeconds(10))).isTrue();
    up.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    ext2.shutdown(System.nanoTime());
    assertThat(got).hasSize(5);
    assertThat(got).containsExactlyInAnyOrder(TestData.traces("r0", 2, 0), TestData.traces("r1", 2, 1),
        TestData.traces("r2", 2, 2), TestData.traces("r3", 2, 3), TestData.traces("r4", 2, 4));
    assertThat(TestContexts.metric(t2, "wharf_file_storage_corrupt_records", "extension", "file_storage",
        "queue", "otlp/backend-traces")).isZero();
  }
}
