package dev.wharf.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricRegistryTest {
  private final MetricRegistry registry = new MetricRegistry("service_name", "wharf", "service_version", "1.2");

  @Test
  void countersAreExposedWithTotalSuffixAndCommonLabelsMergedInNameOrder() {
    Counter c = registry.counter("otelcol_receiver_accepted_spans", "Spans accepted.", "transport", "grpc",
        "receiver", "otlp");
    c.increment(3);
    c.increment();
    c.increment(-5); // a counter never goes down
    assertThat(registry.scrape()).isEqualTo("""
        # HELP otelcol_receiver_accepted_spans_total Spans accepted.
        # TYPE otelcol_receiver_accepted_spans_total counter
        otelcol_receiver_accepted_spans_total{receiver="otlp",service_name="wharf",service_version="1.2",transport="grpc"} 4.0
        """);
  }

  @Test
  void registeringTheSameSeriesAgainReturnsTheSameMeterAndTheFirstGaugeWins() {
    Counter a = registry.counter("c", "h", "k", "v");
    Counter b = registry.counter("c", "h", "k", "v");
    assertThat(a).isSameAs(b);
    registry.gauge("g", "h", () -> 1, "k", "v");
    registry.gauge("g", "h", () -> 2, "k", "v");
    registry.gauge("g", "h", () -> 5, "k", "w");
    assertThat(registry.value("g", "k", "v")).isEqualTo(1);
    assertThat(registry.value("g")).isEqualTo(6);
    assertThat(registry.value("absent")).isZero();
    assertThat(registry.seriesCount("g")).isEqualTo(2);
  }

  @Test
  void histogramBucketsAreCumulativeWithInfCountAndSum() {
    Histogram h = registry.histogram("size", "Batch size", new double[] {10, 100}, "processor", "batch");
    h.record(5);
    h.record(10);
    h.record(50);
    h.record(1000);
    assertThat(registry.scrape()).contains(
        "size_bucket{processor=\"batch\",service_name=\"wharf\",service_version=\"1.2\",le=\"10.0\"} 2\n",
        "size_bucket{processor=\"batch\",service_name=\"wharf\",service_version=\"1.2\",le=\"100.0\"} 3\n",
        "size_bucket{processor=\"batch\",service_name=\"wharf\",service_version=\"1.2\",le=\"+Inf\"} 4\n",
        "size_count{processor=\"batch\",service_name=\"wharf\",service_version=\"1.2\"} 4\n",
        "size_sum{processor=\"batch\",service_name=\"wharf\",service_version=\"1.2\"} 1065.0\n",
        "# TYPE size histogram\n");
    assertThat(registry.histogram("size", "processor", "batch").count()).isEqualTo(4);
    assertThat(registry.histogram("size", "processor", "other")).isNull();
  }

  @Test
  void labelValuesAndHelpAreEscapedAndAFailingGaugeReadsNaN() {
    MetricRegistry plain = new MetricRegistry();
    plain.gauge("g", "line\\one\ntwo \"q\"", () -> 1.5, "path", "a\"b\\c\nd");
    plain.gauge("broken", "h", () -> {
      throw new IllegalStateException("gone");
    });
    assertThat(plain.scrape()).isEqualTo("""
        # HELP broken h
        # TYPE broken gauge
        broken NaN
        # HELP g line\\\\one\\ntwo "q"
        # TYPE g gauge
        g{path="a\\"b\\\\c\\nd"} 1.5
        """);
  }

  @Test
  void misuseIsRejected() {
    registry.counter("x", "h");
    assertThatThrownBy(() -> registry.gauge("x", "h", () -> 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("x is a counter");
    assertThatThrownBy(() -> registry.counter("y", "h", "odd")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.histogram("z", "h", new double[] {2, 1}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void processMetricsReportUptimeThatGrows() throws Exception {
    MetricRegistry r = new MetricRegistry();
    ProcessMetrics.register(r);
    double first = r.value("otelcol_process_uptime_seconds");
    Thread.sleep(20);
    assertThat(r.value("otelcol_process_uptime_seconds")).isGreaterThan(first);
    assertThat(r.scrape()).contains("otelcol_process_uptime_seconds_total ", "otelcol_process_cpu_seconds_total ");
    if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
      assertThat(r.value("otelcol_process_memory_rss")).isGreaterThan(1024 * 1024);
    }
  }
}
