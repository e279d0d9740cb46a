package dev.wharf.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.exporter.otlphttp.OtlpHttpExporterFactory;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.FreePort;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The otlp (gRPC) and otlphttp (protobuf and JSON) exporters send to a real otlp receiver: every
 * span, data point and log record arrives identical; an unavailable backend is retried until it
 * is back, and nothing within the queue's capacity is lost; permanent refusals are not retried.
 */
class OtlpExportersRoundTripTest {

  /** Transport variants: factory and the config pointing at a backend's ports. */
  record Variant(String name, ExporterFactory<?> factory, String id, String configTemplate) {
    String config(int grpcPort, int httpPort, String extra) {
      return configTemplate.formatted(grpcPort, httpPort) + extra;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of(new Variant("otlp gRPC gzip", new OtlpExporterFactory(), "otlp",
            "endpoint: 127.0.0.1:%d\n#%d\ntls:\n  insecure: true\n")),
        Arguments.of(new Variant("otlp gRPC none", new OtlpExporterFactory(), "otlp/plain",
            "endpoint: http://127.0.0.1:%d\n#%d\ncompression: none\ntls:\n  insecure: true\n")),
        Arguments.of(new Variant("otlphttp proto gzip", new OtlpHttpExporterFactory(), "otlphttp",
            "#%d\nendpoint: http://127.0.0.1:%d\n")),
        Arguments.of(new Variant("otlphttp json none", new OtlpHttpExporterFactory(), "otlphttp/json",
            "#%d\nendpoint: http://127.0.0.1:%d/\nencoding: json\ncompression: none\n")));
  }

  static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  /** Spans with every attribute value type, events, links and status. */
  static TracesData richTraces(int n, long seed) {
    TracesData t = TestData.traces("rich", n, seed);
    var ss = t.getResourceSpans(0).getScopeSpans(0).toBuilder();
    for (int i = 0; i < ss.getSpansCount(); i++) {
      Span s = ss.getSpans(i);
      ss.setSpans(i, s.toBuilder()
          .setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i}))
          .addAttributes(kv("int", AnyValue.newBuilder().setIntValue(-1L << 40 | i).build()))
          .addAttributes(kv("zero", AnyValue.newBuilder().setIntValue(0).build()))
          .addAttributes(kv("dbl", AnyValue.newBuilder().setDoubleValue(0.1 * i).build()))
          .addAttributes(kv("bool", AnyValue.newBuilder().setBoolValue(true).build()))
          .addAttributes(kv("bytes", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("\u0000\u00ff")).build()))
          .addAttributes(kv("arr", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
              .addValues(AnyValue.newBuilder().setStringValue("ü"))).build()))
          .addAttributes(kv("map", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
              .addValues(kv("nested", AnyValue.newBuilder().setIntValue(7).build()))).build()))
          .addEvents(Span.Event.newBuilder().setName("evt").setTimeUnixNano(s.getStartTimeUnixNano() + 5)
              .addAttributes(kv("k", AnyValue.newBuilder().setStringValue("v").build())))
          .addLinks(Span.Link.newBuilder().setTraceId(s.getTraceId()).setSpanId(s.getSpanId()).setFlags(0x101))
          .setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
              .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR).setMessage("bad"))
          .setFlags(0x301).setTraceState("k=v")
          .build());
    }
    return t.toBuilder().setResourceSpans(0, t.getResourceSpans(0).toBuilder().setScopeSpans(0, ss)
        .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")).build();
  }

  static MetricsData richMetrics() {
    MetricsData m = TestData.metrics("rich", 3);
    var sm = m.getResourceMetrics(0).getScopeMetrics(0).toBuilder();
    sm.addMetrics(Metric.newBuilder().setName("h").setUnit("ms").setHistogram(Histogram.newBuilder()
        .setAggregationTemporality(io.opentelemetry.proto.metrics.v1.AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
        .addDataPoints(HistogramDataPoint.newBuilder().setCount(3).setSum(6.5).setMin(0.5).setMax(4)
            .addBucketCounts(1).addBucketCounts(2).addExplicitBounds(1.0).setStartTimeUnixNano(1).setTimeUnixNano(2)
            .addAttributes(TestData.attr("route", "/x")))));
    return m.toBuilder().setResourceMetrics(0, m.getResourceMetrics(0).toBuilder().setScopeMetrics(0, sm)).build();
  }

  static LogsData richLogs() {
    LogsData l = TestData.logs("rich", 2);
    var sl = l.getResourceLogs(0).getScopeLogs(0).toBuilder();
    sl.setLogRecords(0, sl.getLogRecords(0).toBuilder().setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_ERROR)
        .setSeverityText("ERROR").setTraceId(ByteString.copyFrom(new byte[16]).concat(ByteString.EMPTY))
        .setSpanId(ByteString.copyFrom(new byte[] {9, 9, 9, 9, 9, 9, 9, 9})).setObservedTimeUnixNano(42)
        .setEventName("app.crash").addAttributes(TestData.attr("a", "b")));
    return l.toBuilder().setResourceLogs(0, l.getResourceLogs(0).toBuilder().setScopeLogs(0, sl)).build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void everySignalArrivesIntact(Variant v) throws Exception {
    try (OtlpExporterTestSupport.Backend backend = new OtlpExporterTestSupport.Backend()) {
      String cfg = v.config(backend.receiver.grpcPort(), backend.receiver.httpPort(), "");
      roundTrip(v, cfg, Signal.TRACES, richTraces(4, 9), backend);
      roundTrip(v, cfg, Signal.METRICS, richMetrics(), backend);
      roundTrip(v, cfg, Signal.LOGS, richLogs(), backend);
    }
  }

  private <T extends Message> void roundTrip(Variant v, String cfg, Signal<T> signal, T data,
      OtlpExporterTestSupport.Backend backend) throws Exception {
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    Exporter<T> exporter = OtlpExporterTestSupport.exporter(v.factory(), v.id(), cfg, signal, telemetry);
    try {
      exporter.consume(data);
      RecordingConsumer<T> got = backend.recording(signal);
      assertThat(got.awaitItems(signal.itemCount(data), Duration.ofSeconds(10))).isTrue();
      assertThat(got.all()).isEqualTo(data);
      assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "otelcol_exporter_sent_" + signal.itemName())
          == signal.itemCount(data), Duration.ofSeconds(5))).isTrue();
    } finally {
      exporter.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

  private static final String FAST_RETRY = """
      retry_on_failure:
        initial_interval: 20ms
        max_interval: 100ms
        randomization_factor: 0
        max_elapsed_time: 30s
      sending_queue:
        queue_size: 200
        num_consumers: 2
      """;

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void anUnavailableBackendIsRetriedAndNothingIsLost(Variant v) throws Exception {
    int grpcPort = FreePort.pick();
    int httpPort = FreePort.pick();
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    Exporter<TracesData> exporter = OtlpExporterTestSupport.exporter(v.factory(), v.id(),
        v.config(grpcPort, httpPort, FAST_RETRY), Signal.TRACES, telemetry);
    List<TracesData> sent = new ArrayList<>();
    try {
      // nothing listens yet: every request waits in the queue, retrying
      for (int i = 0; i < 30; i++) {
        TracesData t = TestData.traces("svc", 2, i);
        sent.add(t);
        exporter.consume(t);
      }
      Thread.sleep(300);
      assertThat(TestContexts.metric(telemetry, "otelcol_exporter_sent_spans")).isZero();
      try (OtlpExporterTestSupport.Backend backend = new OtlpExporterTestSupport.Backend(grpcPort, httpPort)) {
        // the backend is up but refuses (memory limiter-like) for a while: still retried
        backend.traces.refuseWith(RefusedException.unavailable("try later", Duration.ofMillis(50)));
        assertThat(RecordingConsumer.await(() -> metricSum(backend.telemetry, "otelcol_receiver_refused_spans") > 0,
            Duration.ofSeconds(10))).isTrue();
        backend.traces.refuseWith(null);
        assertThat(backend.traces.awaitItems(60, Duration.ofSeconds(20))).isTrue();
        assertThat(backend.traces.received()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "otelcol_exporter_sent_spans") == 60,
            Duration.ofSeconds(5))).isTrue();
        assertThat(TestContexts.metric(telemetry, "otelcol_exporter_send_failed_spans")).isZero();
        assertThat(TestContexts.metric(telemetry, "otelcol_exporter_enqueue_failed_spans")).isZero();
      }
    } finally {
      exporter.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("variants")
  void permanentRefusalsAreNotRetried(Variant v) throws Exception {
    try (OtlpExporterTestSupport.Backend backend = new OtlpExporterTestSupport.Backend()) {
      backend.logs.refuseWith(RefusedException.invalid("bad data"));
      SelfTelemetry telemetry = SelfTelemetry.inMemory();
      Exporter<LogsData> exporter = OtlpExporterTestSupport.exporter(v.factory(), v.id(),
          v.config(backend.receiver.grpcPort(), backend.receiver.httpPort(), FAST_RETRY), Signal.LOGS, telemetry);
      try {
        exporter.consume(TestData.logs("svc", 5));
        assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "otelcol_exporter_send_failed_log_records") == 5,
            Duration.ofSeconds(10))).isTrue();
        Thread.sleep(200);
        // exactly one attempt reached the backend
        assertThat(metricSum(backend.telemetry, "otelcol_receiver_refused_log_records")).isEqualTo(5);
        assertThat(TestContexts.metric(telemetry, "otelcol_exporter_sent_log_records")).isZero();
      } finally {
        exporter.shutdown(System.nanoTime() + 2_000_000_000L);
      }
    }
  }

  static double metricSum(SelfTelemetry t, String name) {
    return t.registry().value(name);
  }
}
