package dev.wharf.exporter.debug;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.Exporter;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DebugExporterTest {
  private final DebugExporterFactory factory = new DebugExporterFactory();
  private final List<String> lines = new ArrayList<>();
  private final Logger logger = Logger.getLogger("wharf.exporter.debug");
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (lines) {
        lines.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    logger.addHandler(capture);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
  }

  private DebugConfig config(Map<String, Object> map) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("exporters.debug", map, problems);
    DebugConfig c = factory.parseConfig(n);
    n.checkUnknownKeys();
    problems.throwIfAny();
    return c;
  }

  private <T extends com.google.protobuf.Message> Exporter<T> exporter(Map<String, Object> map, Signal<T> signal) {
    return factory.createExporter(TestContexts.context("debug", ComponentKind.EXPORTER, signal), config(map), signal);
  }

  @Test
  void basicWritesOneLineWithCountsPerSignal() {
    exporter(Map.of(), Signal.TRACES).consume(TestData.traces("svc", 3, 1));
    exporter(Map.of(), Signal.METRICS).consume(TestData.metrics("svc", 4));
    exporter(Map.of(), Signal.LOGS).consume(TestData.logs("svc", 5));
    assertThat(lines).containsExactly(
        "Traces {\"resource traces\": 1, \"spans\": 3}",
        "Metrics {\"resource metrics\": 1, \"metric points\": 4}",
        "Logs {\"resource logs\": 1, \"log records\": 5}");
  }

  @Test
  void normalWritesOneLinePerItem() {
    Exporter<TracesData> t = exporter(Map.of("verbosity", "normal"), Signal.TRACES);
    t.consume(TestData.traces("checkout", 2, 1));
    String out = lines.get(0);
    assertThat(out).contains("service.name=checkout").contains("span-0").contains("span-1").contains("index=1");
    Exporter<LogsData> l = exporter(Map.of("verbosity", "normal"), Signal.LOGS);
    l.consume(TestData.logs("svc", 2));
    assertThat(lines.get(1)).contains("log 0").contains("log 1");
    Exporter<MetricsData> m = exporter(Map.of("verbosity", "normal"), Signal.METRICS);
    m.consume(TestData.metrics("svc", 2));
    assertThat(lines.get(2)).contains("test.gauge gauge 2 points");
  }

  @Test
  void detailedWritesEveryField() {
    exporter(Map.of("verbosity", "detailed"), Signal.TRACES).consume(TestData.traces("svc", 1, 1));
    assertThat(lines.get(0)).contains("trace_id:").contains("start_time_unix_nano:").contains("string_value: \"svc\"");
  }

  @Test
  void samplesPerSecondAfterTheInitialBatches() {
    long[] second = {100};
    DebugExporterFactory.DebugExporter<TracesData> t = new DebugExporterFactory.DebugExporter<>(
        config(Map.of("sampling_initial", 2, "sampling_thereafter", 3)), Signal.TRACES, logger, () -> second[0]);
    for (int i = 0; i < 8; i++) {
      t.consume(TestData.traces("svc", 1, i));
    }
    // 2 initial, then every 3rd of the rest: batches 5 and 8.
    assertThat(lines).hasSize(4);
    second[0] = 101;
    t.consume(TestData.traces("svc", 1, 9));
    assertThat(lines).hasSize(5);
  }

  @Test
  void badSettingsAreReported() {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("exporters.debug", Map.of("verbosity", "loud", "sampling_initial", 0,
        "loglevel", "debug"), problems);
    factory.parseConfig(n);
    n.checkUnknownKeys();
    assertThat(problems.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "exporters.debug.verbosity: expected one of [basic, normal, detailed], got 'loud'",
        "exporters.debug.sampling_initial: must be within 1..2147483647, got 0",
        "exporters.debug.loglevel: unknown key");
  }
}
