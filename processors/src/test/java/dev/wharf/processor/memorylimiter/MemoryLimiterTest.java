package dev.wharf.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.Processor;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class MemoryLimiterTest {
  private static final long MIB = 1024 * 1024;
  private static final Logger LOG = Logger.getLogger("test");

  /** A memory source the test moves by hand; a collection frees what {@code freeOnGc} says. */
  static final class FakeSource implements MemorySource {
    volatile long used;
    volatile long freeOnGc;
    volatile int gcs;

    @Override
    public Usage read() {
      return new Usage(used, 0, 0);
    }

    @Override
    public void gc() {
      gcs++;
      used -= Math.min(used, freeOnGc);
    }
  }

  static final class FakeClock {
    long nanos = 1_000_000_000_000L;

    void advance(Duration d) {
      nanos += d.toNanos();
    }
  }

  private static MemoryLimiterConfig config(long limitMib, long spikeMib) {
    return new MemoryLimiterConfig(Duration.ofSeconds(1), limitMib, spikeMib, 0, 0,
        Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  @Test
  void refusesAboveSoftForcesGcAboveHardAndRecovers() {
    FakeSource src = new FakeSource();
    FakeClock clock = new FakeClock();
    MemoryLimiterConfig c = config(100, 20); // hard 100 MiB, soft 80 MiB
    MemoryLimiter l = new MemoryLimiter(c, MemoryLimiter.limits(c, 0), src, () -> clock.nanos, LOG);

    src.used = 50 * MIB;
    l.check();
    assertThat(l.mustRefuse()).isFalse();

    // Above soft, below hard: refuse; no forced GC within min_gc_interval_when_soft_limited (10s).
    clock.advance(Duration.ofSeconds(1));
    src.used = 85 * MIB;
    l.check();
    assertThat(l.mustRefuse()).isTrue();
    assertThat(src.gcs).isZero();

    // After 10s above soft, a GC is forced; it frees nothing useful, so we keep refusing.
    clock.advance(Duration.ofSeconds(11));
    l.check();
    assertThat(src.gcs).isEqualTo(1);
    assertThat(l.mustRefuse()).isTrue();

    // Above hard: GC'd on every check (min_gc_interval_when_hard_limited 0), but the ineffective GC
    // above started the back-off at 2 x 0.95 x check_interval: not yet after 1s.
    clock.advance(Duration.ofSeconds(1));
    src.used = 120 * MIB;
    l.check();
    assertThat(src.gcs).isEqualTo(1);
    assertThat(l.mustRefuse()).isTrue();
    // After the back-off, the forced GC frees enough to get below soft: data is accepted again.
    clock.advance(Duration.ofSeconds(1));
    src.used = 120 * MIB;
    src.freeOnGc = 60 * MIB;
    l.check();
    assertThat(src.gcs).isEqualTo(2);
    assertThat(l.mustRefuse()).isFalse();
    assertThat(l.lastUsed()).isEqualTo(60 * MIB);

    // Memory drops on its own: still accepting.
    clock.advance(Duration.ofSeconds(1));
    src.used = 10 * MIB;
    l.check();
    assertThat(l.mustRefuse()).isFalse();
    assertThat(l.forcedGcs()).isEqualTo(2);
  }

  @Test
  void ineffectiveForcedGcsBackOffExponentiallyUpToTheCap() {
    FakeSource src = new FakeSource();
    FakeClock clock = new FakeClock();
    MemoryLimiterConfig c = config(100, 20);
    MemoryLimiter l = new MemoryLimiter(c, MemoryLimiter.limits(c, 0), src, () -> clock.nanos, LOG);
    src.used = 150 * MIB; // held by live data: collections free nothing
    int checks = 0;
    for (int i = 0; i < 120; i++) {
      clock.advance(Duration.ofSeconds(1));
      l.check();
      checks++;
      assertThat(l.mustRefuse()).isTrue();
    }
    // Without back-off there would be one GC per check (120); the interval doubles from 0.95s up to 30s.
    assertThat(src.gcs).isBetween(5, 12);
    assertThat(l.gcIntervals()[1]).isEqualTo(TimeUnit.SECONDS.toNanos(30));
    assertThat(checks).isEqualTo(120);
    // A drop in memory resets the back-off.
    src.used = 10 * MIB;
    clock.advance(Duration.ofSeconds(1));
    l.check();
    assertThat(l.mustRefuse()).isFalse();
    assertThat(l.gcIntervals()).containsExactly(0, 0);
  }

  @Test
  void limitsAsUpstream() {
    MemoryLimiter.Limits fixed = MemoryLimiter.limits(config(4000, 800), 0);
    assertThat(fixed.hardBytes()).isEqualTo(4000 * MIB);
    assertThat(fixed.softBytes()).isEqualTo(3200 * MIB);
    MemoryLimiter.Limits defaultSpike = MemoryLimiter.limits(config(1000, 0), 0);
    assertThat(defaultSpike.softBytes()).isEqualTo(800 * MIB);
    MemoryLimiterConfig pct = new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 80, 15,
        Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));
    MemoryLimiter.Limits p = MemoryLimiter.limits(pct, 1000 * MIB);
    assertThat(p.hardBytes()).isEqualTo(800 * MIB);
    assertThat(p.softBytes()).isEqualTo(650 * MIB);
    // limit_mib wins over limit_percentage.
    MemoryLimiterConfig both = new MemoryLimiterConfig(Duration.ofSeconds(1), 300, 0, 80, 0,
        Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(MemoryLimiter.limits(both, 1000 * MIB).hardBytes()).isEqualTo(300 * MIB);
  }

  @Test
  void configDefaultsAndUpstreamValidation() {
    ConfigProblems problems = new ConfigProblems();
    MemoryLimiterConfig ok = MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter",
        Map.of("check_interval", "1s", "limit_mib", 400, "spike_limit_mib", 100), problems));
    assertThat(problems.isEmpty()).as(problems.toString()).isTrue();
    assertThat(ok.minGcIntervalWhenSoftLimited()).isEqualTo(Duration.ofSeconds(10));
    assertThat(ok.minGcIntervalWhenHardLimited()).isEqualTo(Duration.ZERO);
    assertThat(ok.maxGcIntervalWhenSoftLimited()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ok.maxGcIntervalWhenHardLimited()).isEqualTo(Duration.ofSeconds(30));

    problems = new ConfigProblems();
    MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter", Map.of(), problems));
    assertThat(problems.toString())
        .contains("processors.memory_limiter.check_interval: 'check_interval' must be greater than zero")
        .contains("processors.memory_limiter.limit_mib: 'limit_mib' or 'limit_percentage' must be greater than zero");

    problems = new ConfigProblems();
    Map<String, Object> bad = new HashMap<>();
    bad.put("check_interval", "1s");
    bad.put("limit_mib", 100);
    bad.put("spike_limit_mib", 100);
    bad.put("min_gc_interval_when_soft_limited", "1s");
    bad.put("min_gc_interval_when_hard_limited", "5s");
    bad.put("max_gc_interval_when_hard_limited", "2s");
    MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter", bad, problems));
    assertThat(problems.toString())
        .contains("'spike_limit_mib' must be smaller than 'limit_mib'")
        .contains("'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'")
        .contains("'max_gc_interval_when_hard_limited' must be greater than or equal to 'min_gc_interval_when_hard_limited'");

    problems = new ConfigProblems();
    MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter",
        Map.of("check_interval", "1s", "limit_percentage", 101), problems));
    assertThat(problems.toString()).contains("must be greater than zero and less than or equal to hundred");

    problems = new ConfigProblems();
    MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter",
        Map.of("check_interval", "1s", "limit_percentage", 20, "spike_limit_percentage", 20), problems));
    assertThat(problems.toString()).contains("'spike_limit_percentage' must be smaller than 'limit_percentage'");

    problems = new ConfigProblems();
    MemoryLimiterConfig.parse(ConfigNode.of("processors.memory_limiter",
        Map.of("check_interval", "1s", "limit_mib", -5), problems));
    assertThat(problems.toString()).contains("processors.memory_limiter.limit_mib: must be within");
  }

  @Test
  void processorsOfOneIdShareOneLimiterAndRefuseRetryably() throws Exception {
    FakeSource src = new FakeSource();
    int[] sourcesMade = {0};
    MemoryLimiterProcessorFactory f = new MemoryLimiterProcessorFactory(ctx -> {
      sourcesMade[0]++;
      return src;
    }, ctx -> { throw new AssertionError("limit_mib is fixed: total memory must not be read"); });
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    MemoryLimiterConfig c = new MemoryLimiterConfig(Duration.ofMillis(20), 100, 20, 0, 0,
        Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));
    RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
    RecordingConsumer<MetricsData> metrics = new RecordingConsumer<>(Signal.METRICS);
    Processor<TracesData> pt = f.createProcessor(TestContexts.context("memory_limiter", ComponentKind.PROCESSOR,
        Signal.TRACES, telemetry, Map.of()), c, Signal.TRACES, traces);
    Processor<MetricsData> pm = f.createProcessor(TestContexts.context("memory_limiter", ComponentKind.PROCESSOR,
        Signal.METRICS, telemetry, Map.of()), c, Signal.METRICS, metrics);
    assertThat(sourcesMade[0]).isEqualTo(1);
    pt.start(new TestHost());
    pm.start(new TestHost());
    try {
      src.used = 10 * MIB;
      pt.consume(TestData.traces("a", 3, 1));
      assertThat(traces.itemCount()).isEqualTo(3);

      src.used = 90 * MIB; // above soft (80 MiB)
      assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "wharf_memory_limiter_refusing",
          "processor", "memory_limiter") == 1, Duration.ofSeconds(5))).isTrue();
      assertThatThrownBy(() -> pt.consume(TestData.traces("a", 4, 2)))
          .isInstanceOfSatisfying(RefusedException.class, e -> {
            assertThat(e.reason()).isEqualTo(RefusedException.Reason.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("data refused due to high memory usage");
          });
      assertThatThrownBy(() -> pm.consume(TestData.metrics("m", 5))).isInstanceOf(RefusedException.class);
      assertThat(TestContexts.metric(telemetry, "otelcol_processor_refused_spans", "processor", "memory_limiter"))
          .isEqualTo(4);
      assertThat(TestContexts.metric(telemetry, "otelcol_processor_refused_metric_points",
          "processor", "memory_limiter")).isEqualTo(5);

      src.used = 10 * MIB;
      assertThat(RecordingConsumer.await(() -> {
        try {
          pm.consume(TestData.metrics("m", 1));
          return true;
        } catch (RefusedException e) {
          return false;
        }
      }, Duration.ofSeconds(5))).isTrue();
      assertThat(metrics.itemCount()).isEqualTo(1);
    } finally {
      pt.shutdown(System.nanoTime());
      pm.shutdown(System.nanoTime());
    }
    // A different id gets its own limiter (and source).
    f.createProcessor(TestContexts.context("memory_limiter/other", ComponentKind.PROCESSOR, Signal.TRACES,
        telemetry, Map.of()), c, Signal.TRACES, traces);
    assertThat(sourcesMade[0]).isEqualTo(2);
  }

  @Test
  void percentageLimitUsesTheDetectedTotal() {
    FakeSource src = new FakeSource();
    MemoryLimiterProcessorFactory f = new MemoryLimiterProcessorFactory(ctx -> src,
        ctx -> new TotalMemory(java.nio.file.Path.of("/nonexistent/cgroup"), java.nio.file.Path.of("/nonexistent"),
            Map.of(), () -> 1000 * MIB, Duration.ofSeconds(1), LOG));
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    MemoryLimiterConfig c = new MemoryLimiterConfig(Duration.ofSeconds(1), 0, 0, 80, 15,
        Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));
    f.createProcessor(TestContexts.context("memory_limiter", ComponentKind.PROCESSOR, Signal.LOGS, telemetry,
        Map.of()), c, Signal.LOGS, new RecordingConsumer<>(Signal.LOGS));
    assertThat(TestContexts.metric(telemetry, "wharf_memory_limiter_limit_bytes", "processor", "memory_limiter",
        "limit", "hard")).isEqualTo(800.0 * MIB);
    assertThat(TestContexts.metric(telemetry, "wharf_memory_limiter_limit_bytes", "processor", "memory_limiter",
        "limit", "soft")).isEqualTo(650.0 * MIB);
  }

  @Test
  void jvmSourceMeasuresThisProcess() {
    try (JvmMemorySource s = new JvmMemorySource()) {
      MemorySource.Usage before = s.read();
      assertThat(before.heapBytes()).isPositive();
      assertThat(before.nonHeapBytes()).isPositive(); // metaspace and code cache are never empty
      java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(4 * 1024 * 1024);
      assertThat(s.read().directBytes()).isGreaterThanOrEqualTo(4L * 1024 * 1024);
      s.gc();
      assertThat(s.read().total()).isPositive();
      assertThat(direct.capacity()).isEqualTo(4 * 1024 * 1024);
    }
  }
}
