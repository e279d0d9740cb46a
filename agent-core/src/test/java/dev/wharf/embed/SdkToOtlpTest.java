package dev.wharf.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.SdkRecorders;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Our conversion must equal what the SDK's own OTLP exporters put on the wire. */
class SdkToOtlpTest {
  static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(Attributes.of(
      AttributeKey.stringKey("service.name"), "checkout", AttributeKey.longKey("replica"), 3L)));

  static List<SpanData> spans() {
    SdkRecorders.Spans collect = new SdkRecorders.Spans();
    List<SpanData> out = collect.spans;
    try (SdkTracerProvider tp = SdkTracerProvider.builder().setResource(RESOURCE)
        .setSpanLimits(io.opentelemetry.sdk.trace.SpanLimits.builder().setMaxNumberOfAttributes(6).build()).addSpanProcessor(SimpleSpanProcessor.create(collect)).build()) {
      Tracer tracer = tp.get("shop", "1.2.3");
      SpanContext remoteParent = SpanContext.createFromRemoteParent("5b8efff798038103d269b633813fc60c",
          "eee19b7ec3c1b174", TraceFlags.getSampled(), TraceState.builder().put("vendor", "x1").build());
      Span server = tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER)
          .setParent(Context.root().with(Span.wrap(remoteParent)))
          .setAttribute("http.request.method", "GET")
          .setAttribute(AttributeKey.longKey("http.response.status_code"), 500L)
          .setAttribute(AttributeKey.booleanKey("retry"), true)
          .setAttribute(AttributeKey.doubleKey("ratio"), 0.25)
          .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
          .setAttribute(AttributeKey.longArrayKey("ports"), List.of(80L, 443L))
          .setAttribute("too.many", "dropped")
          .addLink(SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", TraceFlags.getDefault(),
              TraceState.getDefault()), Attributes.of(AttributeKey.stringKey("link"), "prev"))
          .startSpan();
      server.addEvent("cache.miss", Attributes.of(AttributeKey.stringKey("key"), "o-42"));
      server.recordException(new IllegalStateException("boom"));
      server.setStatus(StatusCode.ERROR, "failed");
      Span child = tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT)
          .setParent(Context.current().with(server)).startSpan();
      child.setStatus(StatusCode.OK);
      child.end();
      server.end();
      tracer.spanBuilder("internal").setNoParent().startSpan().end();
    }
    return out;
  }

  @Test
  void spansEqualTheSdkOtlpEncoding() throws Exception {
    List<SpanData> spans = spans();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TraceRequestMarshaler.create(spans).writeBinaryTo(bytes);
    TracesData expected = TracesData.parseFrom(bytes.toByteArray());
    TracesData actual = SdkToOtlp.traces(spans);
    assertThat(actual).isEqualTo(expected);
    assertThat(actual.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(3);
    assertThat(actual.getResourceSpans(0).getScopeSpans(0).getSpans(1).getDroppedAttributesCount()).isEqualTo(1);
  }

  static List<MetricData> metrics() {
    List<MetricData> out = new ArrayList<>();
    CollectionRegistration[] reg = new CollectionRegistration[1];
    MetricReader reader = new MetricReader() {
      @Override
      public void register(CollectionRegistration registration) {
        reg[0] = registration;
      }

      @Override
      public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public io.opentelemetry.sdk.metrics.data.AggregationTemporality getAggregationTemporality(
          io.opentelemetry.sdk.metrics.InstrumentType type) {
        return type == io.opentelemetry.sdk.metrics.InstrumentType.COUNTER
            ? io.opentelemetry.sdk.metrics.data.AggregationTemporality.DELTA
            : io.opentelemetry.sdk.metrics.data.AggregationTemporality.CUMULATIVE;
      }
    };
    try (SdkMeterProvider mp = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("latency.exp").build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build()) {
      Meter meter = mp.get("shop");
      meter.counterBuilder("orders").setUnit("{order}").setDescription("orders taken").build()
          .add(3, Attributes.of(AttributeKey.stringKey("region"), "eu"));
      meter.counterBuilder("revenue").ofDoubles().build().add(12.5);
      meter.upDownCounterBuilder("inflight").build().add(-2);
      meter.gaugeBuilder("temperature").build().set(21.5);
      meter.gaugeBuilder("threads").ofLongs().build().set(42);
      var h = meter.histogramBuilder("latency").setExplicitBucketBoundariesAdvice(List.of(10.0, 100.0)).build();
      h.record(5);
      h.record(50);
      h.record(500);
      var e = meter.histogramBuilder("latency.exp").build();
      e.record(0);
      e.record(3);
      e.record(-1 * 0 + 7);
      out.addAll(reg[0].collectAllMetrics());
    }
    return out;
  }

  @Test
  void metricsOfEveryTypeEqualTheSdkOtlpEncoding() throws Exception {
    List<MetricData> metrics = metrics();
    assertThat(metrics).hasSize(7);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MetricsRequestMarshaler.create(metrics).writeBinaryTo(bytes);
    MetricsData expected = MetricsData.parseFrom(bytes.toByteArray());
    MetricsData actual = SdkToOtlp.metrics(metrics);
    // The SDK groups metrics of one scope without a defined order; compare metric by metric.
    assertThat(actual.getResourceMetrics(0).getResource()).isEqualTo(expected.getResourceMetrics(0).getResource());
    assertThat(actual.getResourceMetrics(0).getScopeMetrics(0).getScope())
        .isEqualTo(expected.getResourceMetrics(0).getScopeMetrics(0).getScope());
    assertThat(actual.getResourceMetrics(0).getScopeMetrics(0).getMetricsList())
        .containsExactlyInAnyOrderElementsOf(expected.getResourceMetrics(0).getScopeMetrics(0).getMetricsList());
  }

  static List<LogRecordData> logs() {
    SdkRecorders.Logs collect = new SdkRecorders.Logs();
    List<LogRecordData> out = collect.logs;
    try (SdkLoggerProvider lp = SdkLoggerProvider.builder().setResource(RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(collect)).build();
        SdkTracerProvider tp = SdkTracerProvider.builder().build()) {
      Logger logger = lp.get("shop");
      Span span = tp.get("t").spanBuilder("s").startSpan();
      logger.logRecordBuilder().setSeverity(Severity.WARN).setSeverityText("WARN").setBody("disk almost full")
          .setAttribute(AttributeKey.stringKey("disk"), "/dev/sda").setContext(Context.root().with(span))
          .setTimestamp(1_700_000_000_000L, TimeUnit.MILLISECONDS).emit();
      logger.logRecordBuilder().setBody(Value.of(Value.of("a"), Value.of(2L), Value.of(new byte[] {1, 2})))
          .setEventName("shop.event").emit();
      logger.logRecordBuilder().setBody(Value.of(io.opentelemetry.api.common.KeyValue.of("k", Value.of(true)))).emit();
      span.end();
    }
    return out;
  }

  @Test
  void logsEqualTheSdkOtlpEncoding() throws Exception {
    List<LogRecordData> logs = logs();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LogsRequestMarshaler.create(logs).writeBinaryTo(bytes);
    LogsData expected = LogsData.parseFrom(bytes.toByteArray());
    assertThat(SdkToOtlp.logs(logs)).isEqualTo(expected);
  }
}
