package dev.wharf.processor.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchProcessorTest {
  private final SelfTelemetry telemetry = SelfTelemetry.inMemory();
  private final List<BatchProcessor<?>> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    for (BatchProcessor<?> p : started) {
      p.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
  }

  private <T extends com.google.protobuf.Message> BatchProcessor<T> start(
      Signal<T> signal, BatchConfig config, TelemetryConsumer<T> next) {
    BatchProcessor<T> p = new BatchProcessor<>(
        TestContexts.context("batch", ComponentKind.PROCESSOR, signal, telemetry, Map.of()), config, signal, next);
    p.start(new TestHost());
    started.add(p);
    return p;
  }

  private static BatchConfig config(int size, Duration timeout, int max) {
    return new BatchConfig(size, timeout, max, List.of(), 1000);
  }

  private double metric(String name) {
    return TestContexts.metric(telemetry, name, "processor", "batch");
  }

  private static long deadline() {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
  }

  @Test
  void sizeTriggerSendsEverythingPendingInOneBatch() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(10, Duration.ofHours(1), 0), sink);
    p.consume(TestData.traces("a", 4, 1));
    p.consume(TestData.traces("b", 4, 2));
    assertThat(sink.received()).isEmpty();
    p.consume(TestData.traces("c", 4, 3));
    assertThat(sink.awaitItems(12, Duration.ofSeconds(5))).isTrue();
    assertThat(sink.received()).hasSize(1);
    TracesData batch = sink.received().get(0);
    // Concatenated, not merged: one ResourceSpans per request, spans are the very same objects.
    assertThat(batch.getResourceSpansCount()).isEqualTo(3);
    assertThat(metric("otelcol_processor_batch_batch_size_trigger_send")).isEqualTo(1);
    assertThat(telemetry.registry().histogram("otelcol_processor_batch_batch_send_size", "processor", "batch").sum())
        .isEqualTo(12);
  }

  @Test
  void concatenationSharesSpanMessages() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(2, Duration.ofHours(1), 0), sink);
    TracesData a = TestData.traces("a", 1, 1);
    TracesData b = TestData.traces("b", 1, 2);
    p.consume(a);
    p.consume(b);
    assertThat(sink.awaitItems(2, Duration.ofSeconds(5))).isTrue();
    TracesData batch = sink.received().get(0);
    assertThat(batch.getResourceSpans(0)).isSameAs(a.getResourceSpans(0));
    assertThat(batch.getResourceSpans(1)).isSameAs(b.getResourceSpans(0));
  }

  @Test
  void splitsAtMaxSizeIntoExactChunksAndKeepsTheRemainderUntilTimeout() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(10, Duration.ofMillis(300), 10), sink);
    p.consume(TestData.traces("a", 35, 1));
    assertThat(sink.awaitItems(30, Duration.ofSeconds(5))).isTrue();
    assertThat(sizes(sink)).startsWith(10, 10, 10);
    assertThat(sink.awaitItems(35, Duration.ofSeconds(5))).isTrue();
    assertThat(sizes(sink)).containsExactly(10, 10, 10, 5);
    assertThat(metric("otelcol_processor_batch_batch_size_trigger_send")).isEqualTo(3);
    assertThat(metric("otelcol_processor_batch_timeout_trigger_send")).isEqualTo(1);
    // Order and identity of spans survive the split.
    List<String> names = new ArrayList<>();
    for (TracesData t : sink.received()) {
      for (ResourceSpans rs : t.getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          ss.getSpansList().forEach(s -> names.add(s.getName()));
        }
      }
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 35; i++) {
      expected.add("span-" + i);
    }
    assertThat(names).isEqualTo(expected);
  }

  @Test
  void exactMultipleOfMaxSizeLeavesNothingBehind() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(5, Duration.ofHours(1), 5), sink);
    p.consume(TestData.traces("a", 20, 1));
    assertThat(sink.awaitItems(20, Duration.ofSeconds(5))).isTrue();
    assertThat(sizes(sink)).containsExactly(5, 5, 5, 5);
    assertThat(p.pendingItems()).isZero();
  }

  @Test
  void splittingKeepsResourceAndScopeOfEverySpan() throws Exception {
    // 2 resources x 2 scopes x 3 spans, cut every 5 spans: cuts fall inside scopes and resources.
    TracesData.Builder in = TracesData.newBuilder();
    for (int r = 0; r < 2; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(TestData.resource("svc-" + r))
          .setSchemaUrl("https://schema/" + r);
      for (int s = 0; s < 2; s++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("scope-" + r + "-" + s).setVersion("1"));
        for (int i = 0; i < 3; i++) {
          ss.addSpans(Span.newBuilder().setName(r + "/" + s + "/" + i));
        }
        rs.addScopeSpans(ss);
      }
      in.addResourceSpans(rs);
    }
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(5, Duration.ZERO, 5), sink);
    p.consume(in.build());
    assertThat(sink.awaitItems(12, Duration.ofSeconds(5))).isTrue();
    assertThat(sizes(sink)).containsExactly(5, 5, 2);
    for (TracesData t : sink.received()) {
      for (ResourceSpans rs : t.getResourceSpansList()) {
        String svc = rs.getResource().getAttributes(0).getValue().getStringValue();
        String r = svc.substring("svc-".length());
        assertThat(rs.getSchemaUrl()).isEqualTo("https://schema/" + r);
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          assertThat(ss.getSpansCount()).isPositive();
          assertThat(ss.getScope().getVersion()).isEqualTo("1");
          for (Span s : ss.getSpansList()) {
            String[] parts = s.getName().split("/");
            assertThat(parts[0]).isEqualTo(r);
            assertThat(ss.getScope().getName()).isEqualTo("scope-" + parts[0] + "-" + parts[1]);
          }
        }
      }
    }
  }

  @Test
  void metricsAreCountedAndSplitByDataPointInsideAMetric() throws Exception {
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    for (int i = 0; i < 7; i++) {
      sum.addDataPoints(NumberDataPoint.newBuilder().setAsInt(i));
    }
    MetricsData in = MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(TestData.resource("m"))
        .addScopeMetrics(ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder().setName("sc"))
            .addMetrics(Metric.newBuilder().setName("requests").setUnit("1").setSum(sum)))).build();
    RecordingConsumer<MetricsData> sink = new RecordingConsumer<>(Signal.METRICS);
    BatchProcessor<MetricsData> p = start(Signal.METRICS, config(3, Duration.ZERO, 3), sink);
    p.consume(in);
    assertThat(sink.awaitItems(7, Duration.ofSeconds(5))).isTrue();
    List<Long> values = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    for (MetricsData md : sink.received()) {
      sizes.add(Signal.METRICS.itemCount(md));
      Metric m = md.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0);
      assertThat(md.getResourceMetrics(0).getResource()).isEqualTo(TestData.resource("m"));
      assertThat(md.getResourceMetrics(0).getScopeMetrics(0).getScope().getName()).isEqualTo("sc");
      assertThat(m.getName()).isEqualTo("requests");
      assertThat(m.getSum().getIsMonotonic()).isTrue();
      assertThat(m.getSum().getAggregationTemporality())
          .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      m.getSum().getDataPointsList().forEach(dp -> values.add(dp.getAsInt()));
    }
    assertThat(sizes).containsExactly(3, 3, 1);
    assertThat(values).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void logsAreSplitByRecord() throws Exception {
    RecordingConsumer<LogsData> sink = new RecordingConsumer<>(Signal.LOGS);
    BatchProcessor<LogsData> p = start(Signal.LOGS, config(4, Duration.ZERO, 4), sink);
    p.consume(TestData.logs("l", 9));
    assertThat(sink.awaitItems(9, Duration.ofSeconds(5))).isTrue();
    List<Integer> sizes = new ArrayList<>();
    for (LogsData ld : sink.received()) {
      sizes.add(Signal.LOGS.itemCount(ld));
      assertThat(ld.getResourceLogs(0).getResource()).isEqualTo(TestData.resource("l"));
    }
    assertThat(sizes).containsExactly(4, 4, 1);
  }

  @Test
  void timeoutFlushesASmallBatch() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(1000, Duration.ofMillis(100), 0), sink);
    p.consume(TestData.traces("a", 5, 1));
    p.consume(TestData.traces("a", 2, 2));
    assertThat(sink.awaitItems(7, Duration.ofSeconds(5))).isTrue();
    assertThat(sizes(sink)).containsExactly(7);
    assertThat(metric("otelcol_processor_batch_timeout_trigger_send")).isEqualTo(1);
    assertThat(metric("otelcol_processor_batch_batch_size_trigger_send")).isZero();
  }

  @Test
  void shutdownFlushesWhatIsPending() {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(1000, Duration.ofHours(1), 0), sink);
    p.consume(TestData.traces("a", 7, 1));
    p.consume(TestData.traces("b", 3, 2));
    assertThat(sink.received()).isEmpty();
    p.shutdown(deadline());
    assertThat(sink.itemCount()).isEqualTo(10);
    assertThatThrownBy(() -> p.consume(TestData.traces("c", 1, 3)))
        .isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.retryable()).isTrue());
  }

  @Test
  void shutdownWithoutStartStillFlushes() {
    RecordingConsumer<LogsData> sink = new RecordingConsumer<>(Signal.LOGS);
    BatchProcessor<LogsData> p = new BatchProcessor<>(
        TestContexts.context("batch", ComponentKind.PROCESSOR, Signal.LOGS, telemetry, Map.of()),
        config(100, Duration.ofHours(1), 0), Signal.LOGS, sink);
    p.consume(TestData.logs("a", 3));
    p.shutdown(deadline());
    assertThat(sink.itemCount()).isEqualTo(3);
  }

  @Test
  void emptyInputsAreIgnored() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(1, Duration.ZERO, 0), sink);
    p.consume(TracesData.getDefaultInstance());
    p.consume(TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(TestData.resource("x")).addScopeSpans(ScopeSpans.getDefaultInstance())).build());
    p.consume(TestData.traces("a", 1, 1));
    assertThat(sink.awaitItems(1, Duration.ofSeconds(5))).isTrue();
    p.shutdown(deadline());
    assertThat(sink.received()).hasSize(1);
    assertThat(sink.itemCount()).isEqualTo(1);
  }

  @Test
  void refusalOfTheNextConsumerIsDroppedAndCounted() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    sink.refuseWith(RefusedException.permanent("backend says no"));
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(3, Duration.ZERO, 0), sink);
    p.consume(TestData.traces("a", 3, 1)); // the producer is not told: the batch owns the data now
    assertThat(RecordingConsumer.await(
        () -> TestContexts.metric(telemetry, "otelcol_processor_dropped_spans", "processor", "batch") == 3,
        Duration.ofSeconds(5))).isTrue();
    assertThat(metric("otelcol_processor_batch_batch_size_trigger_send")).isZero();
  }

  @Test
  void refusesRetryablyWhenTooMuchIsWaitingAndRecovers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch sending = new CountDownLatch(1);
    AtomicInteger delivered = new AtomicInteger();
    TelemetryConsumer<TracesData> slow = data -> {
      sending.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      delivered.addAndGet(Signal.TRACES.itemCount(data));
    };
    BatchProcessor<TracesData> p = new BatchProcessor<>(
        TestContexts.context("batch", ComponentKind.PROCESSOR, Signal.TRACES, telemetry, Map.of()),
        config(10, Duration.ZERO, 0), Signal.TRACES, slow, 30);
    p.start(new TestHost());
    started.add(p);
    p.consume(TestData.traces("a", 10, 1)); // taken by the sender thread, which now blocks
    assertThat(sending.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(p.pendingItems()).isEqualTo(10); // the batch being sent still counts
    int accepted = 0;
    RefusedException refused = null;
    for (int i = 0; i < 10 && refused == null; i++) {
      try {
        p.consume(TestData.traces("b", 10, 10 + i));
        accepted += 10;
      } catch (RefusedException e) {
        refused = e;
      }
    }
    assertThat(refused).isNotNull();
    assertThat(refused.reason()).isEqualTo(RefusedException.Reason.UNAVAILABLE);
    assertThat(accepted).isEqualTo(20); // 10 in flight + 20 waiting = the limit of 30
    release.countDown();
    assertThat(RecordingConsumer.await(() -> delivered.get() == 30, Duration.ofSeconds(5))).isTrue();
    p.consume(TestData.traces("c", 10, 99));
    assertThat(RecordingConsumer.await(() -> delivered.get() == 40, Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void concurrentProducersLoseNothing() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES, config(100, Duration.ofMillis(50), 150), sink);
    int threads = 4;
    int perThread = 200;
    List<Thread> ts = new ArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    for (int t = 0; t < threads; t++) {
      final int seed = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          try {
            p.consume(TestData.traces("t" + seed, 5, seed * 1000L + i));
          } catch (RefusedException e) {
            refused.incrementAndGet();
          }
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join(10_000);
    }
    p.shutdown(deadline());
    assertThat(refused.get()).isZero();
    assertThat(sink.itemCount()).isEqualTo(threads * perThread * 5);
    for (TracesData t : sink.received()) {
      assertThat(Signal.TRACES.itemCount(t)).isLessThanOrEqualTo(150);
    }
  }

  @Test
  void configDefaultsAndValidation() {
    ConfigProblems problems = new ConfigProblems();
    BatchConfig d = BatchConfig.parse(ConfigNode.of("processors.batch", Map.of(), problems));
    assertThat(problems.isEmpty()).isTrue();
    assertThat(d).isEqualTo(BatchConfig.DEFAULT);
    assertThat(d.sendBatchSize()).isEqualTo(8192);
    assertThat(d.timeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(d.metadataCardinalityLimit()).isEqualTo(1000);

    Map<String, Object> raw = new HashMap<>();
    raw.put("send_batch_size", 100);
    raw.put("send_batch_max_size", 50);
    raw.put("timeout", "-1s");
    raw.put("metadata_keys", List.of("Tenant", "tenant"));
    raw.put("send_batch_sise", 3);
    problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("processors.batch/x", raw, problems);
    BatchConfig.parse(n);
    n.checkUnknownKeys();
    assertThat(problems.toString())
        .contains("processors.batch/x.send_batch_max_size: send_batch_max_size must be greater or equal to send_batch_size")
        .contains("processors.batch/x.timeout: timeout must be greater or equal to 0")
        .contains("duplicate entry in metadata_keys: \"tenant\" (case-insensitive)")
        .contains("processors.batch/x.send_batch_sise: unknown key, did you mean 'send_batch_size'?");

    problems = new ConfigProblems();
    BatchConfig.parse(ConfigNode.of("processors.batch", Map.of("send_batch_size", -1), problems));
    assertThat(problems.toString()).contains("processors.batch.send_batch_size: must not be negative");

    problems = new ConfigProblems();
    BatchConfig ok = BatchConfig.parse(ConfigNode.of("processors.batch", Map.of("timeout", "1s",
        "send_batch_size", 50, "send_batch_max_size", 50, "metadata_keys", List.of("X-Tenant", "a")), problems));
    assertThat(problems.isEmpty()).isTrue();
    assertThat(ok.metadataKeys()).containsExactly("a", "x-tenant");
  }

  @Test
  void metadataKeysAreAcceptedAndEverythingIsBatchedTogether() throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = start(Signal.TRACES,
        new BatchConfig(4, Duration.ofHours(1), 0, List.of("tenant"), 10), sink);
    p.consume(TestData.traces("a", 2, 1));
    p.consume(TestData.traces("b", 2, 2));
    assertThat(sink.awaitItems(4, Duration.ofSeconds(5))).isTrue();
    assertThat(sink.received()).hasSize(1);
    assertThat(TestContexts.metric(telemetry, "otelcol_processor_batch_metadata_cardinality", "processor", "batch"))
        .isEqualTo(1);
  }

  @Test
  void selfMetricsHaveUpstreamNamesInPrometheusFormat() throws Exception {
    var prometheus = new dev.wharf.telemetry.MetricRegistry();
    SelfTelemetry t = new SelfTelemetry(prometheus);
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    BatchProcessor<TracesData> p = new BatchProcessor<>(
        TestContexts.context("batch/traces", ComponentKind.PROCESSOR, Signal.TRACES, t, Map.of()),
        config(5, Duration.ofHours(1), 0), Signal.TRACES, sink);
    p.start(new TestHost());
    started.add(p);
    p.consume(TestData.traces("a", 6, 1));
    assertThat(sink.awaitItems(6, Duration.ofSeconds(5))).isTrue();
    String text = prometheus.scrape();
    assertThat(text)
        .contains("otelcol_processor_batch_batch_send_size_bucket{processor=\"batch/traces\",le=\"10.0\"} 1")
        .contains("otelcol_processor_batch_batch_send_size_count{processor=\"batch/traces\"} 1")
        .contains("otelcol_processor_batch_batch_size_trigger_send_total{processor=\"batch/traces\"} 1.0")
        .contains("otelcol_processor_batch_timeout_trigger_send_total{processor=\"batch/traces\"} 0.0");
  }

  @Test
  void factoryIsFoundThroughServiceLoader() {
    boolean found = false;
    for (dev.wharf.component.ProcessorFactory<?> f
        : java.util.ServiceLoader.load(dev.wharf.component.ProcessorFactory.class)) {
      if (f.type().equals("batch")) {
        found = true;
        assertThat(f.signals()).containsKeys(Signal.TRACES, Signal.METRICS, Signal.LOGS);
      }
    }
    assertThat(found).isTrue();
  }

  private static List<Integer> sizes(RecordingConsumer<TracesData> sink) {
    List<Integer> out = new ArrayList<>();
    for (TracesData t : sink.received()) {
      out.add(Signal.TRACES.itemCount(t));
    }
    return out;
  }
}
