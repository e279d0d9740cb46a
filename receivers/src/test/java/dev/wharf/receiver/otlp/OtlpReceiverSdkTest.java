package dev.wharf.receiver.otlp;

import static dev.wharf.receiver.otlp.OtlpTestSupport.assertSameAttributes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.SdkRecorders;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenTelemetry Java SDK's own OTLP exporters (gRPC and HTTP/protobuf, with and without gzip)
 * send to a running otlp receiver; every span, data point and log record must arrive intact.
 */
class OtlpReceiverSdkTest {
  static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(Attributes.builder()
      .put("service.name", "checkout").put("deployment.environment", "test")
      .put(AttributeKey.longKey("host.cpus"), 8L).build()));

  private OtlpTestSupport.Running wharf;

  @BeforeEach
  void start() throws Exception {
    wharf = new OtlpTestSupport.Running(OtlpTestSupport.bothProtocols());
  }

  @AfterEach
  void stop() {
    wharf.close();
  }

  private String endpoint(String transport, String signal) {
    return transport.equals("grpc") ? "http://127.0.0.1:" + wharf.receiver.grpcPort()
        : "http://127.0.0.1:" + wharf.receiver.httpPort() + "/v1/" + signal;
  }

  // ---------------------------------------------------------------------- traces

  @ParameterizedTest
  @CsvSource({"grpc,gzip", "grpc,none", "http,gzip", "http,none"})
  void spansArriveAttributeForAttribute(String transport, String compression) throws Exception {
    SpanExporter otlp = transport.equals("grpc")
        ? OtlpGrpcSpanExporter.builder().setEndpoint(endpoint(transport, "traces")).setCompression(compression).build()
        : OtlpHttpSpanExporter.builder().setEndpoint(endpoint(transport, "traces")).setCompression(compression).build();
    SdkRecorders.Spans sent = new SdkRecorders.Spans();
    SdkTracerProvider provider = SdkTracerProvider.builder().setResource(RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite(otlp, sent))).build();
    Tracer tracer = provider.get("dev.wharf.test", "1.2.3");
    Span parent = tracer.spanBuilder("GET /cart").setSpanKind(SpanKind.SERVER)
        .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L)
        .setAttribute(AttributeKey.stringArrayKey("tags"), List.of("a", "b"))
        .setAttribute(AttributeKey.doubleKey("ratio"), 0.25).setAttribute("cached", false).startSpan();
    Span linked = tracer.spanBuilder("other").startSpan();
    linked.end();
    Span child = tracer.spanBuilder("SELECT cart").setSpanKind(SpanKind.CLIENT)
        .setParent(Context.current().with(parent))
        .addLink(linked.getSpanContext(), Attributes.of(AttributeKey.stringKey("link.kind"), "follows"))
        .setAttribute(AttributeKey.longArrayKey("ids"), List.of(1L, 2L, 3L)).startSpan();
    child.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), 2L));
    child.setStatus(StatusCode.ERROR, "timeout");
    child.end();
    parent.setStatus(StatusCode.OK);
    parent.end();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);

    assertThat(wharf.traces.awaitItems(3, Duration.ofSeconds(10))).isTrue();
    Map<String, SpanData> bySpanId = new HashMap<>();
    for (SpanData s : sent.spans) {
      bySpanId.put(s.getSpanId(), s);
    }
    int compared = 0;
    for (ResourceSpans rs : wharf.traces.all().getResourceSpansList()) {
      assertSameAttributes(RESOURCE.getAttributes(), rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        assertThat(ss.getScope().getName()).isEqualTo("dev.wharf.test");
        assertThat(ss.getScope().getVersion()).isEqualTo("1.2.3");
        for (io.opentelemetry.proto.trace.v1.Span p : ss.getSpansList()) {
          SpanData s = bySpanId.get(hex(p.getSpanId()));
          assertThat(s).as("span %s", p.getName()).isNotNull();
          assertSpan(s, p);
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(3);
    assertThat(wharf.metric("otelcol_receiver_accepted_spans", "transport", transport)).isEqualTo(3);
    assertThat(wharf.metric("otelcol_receiver_refused_spans", "transport", transport)).isZero();
  }

  static void assertSpan(SpanData s, io.opentelemetry.proto.trace.v1.Span p) {
    assertThat(hex(p.getTraceId())).isEqualTo(s.getTraceId());
    assertThat(hex(p.getParentSpanId())).isEqualTo(s.getParentSpanContext().isValid() ? s.getParentSpanId() : "");
    assertThat(p.getName()).isEqualTo(s.getName());
    assertThat(p.getKind().getNumber()).isEqualTo(s.getKind().ordinal() + 1);
    assertThat(p.getStartTimeUnixNano()).isEqualTo(s.getStartEpochNanos());
    assertThat(p.getEndTimeUnixNano()).isEqualTo(s.getEndEpochNanos());
    assertSameAttributes(s.getAttributes(), p.getAttributesList());
    assertThat(p.getStatus().getCode().getNumber()).isEqualTo(
        s.getStatus().getStatusCode() == StatusCode.UNSET ? 0 : s.getStatus().getStatusCode() == StatusCode.OK ? 1 : 2);
    assertThat(p.getStatus().getMessage()).isEqualTo(s.getStatus().getDescription());
    assertThat(p.getEventsCount()).isEqualTo(s.getEvents().size());
    for (int i = 0; i < s.getEvents().size(); i++) {
      EventData e = s.getEvents().get(i);
      assertThat(p.getEvents(i).getName()).isEqualTo(e.getName());
      assertThat(p.getEvents(i).getTimeUnixNano()).isEqualTo(e.getEpochNanos());
      assertSameAttributes(e.getAttributes(), p.getEvents(i).getAttributesList());
    }
    assertThat(p.getLinksCount()).isEqualTo(s.getLinks().size());
    for (int i = 0; i < s.getLinks().size(); i++) {
      LinkData l = s.getLinks().get(i);
      assertThat(hex(p.getLinks(i).getSpanId())).isEqualTo(l.getSpanContext().getSpanId());
      assertThat(hex(p.getLinks(i).getTraceId())).isEqualTo(l.getSpanContext().getTraceId());
      assertSameAttributes(l.getAttributes(), p.getLinks(i).getAttributesList());
    }
  }

  static String hex(com.google.protobuf.ByteString b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b.toByteArray()) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString();
  }


  // ---------------------------------------------------------------------- metrics

  /** A pull reader: collects on demand so the test controls what is exported. */
  static final class CollectingReader implements MetricReader {
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  @ParameterizedTest
  @CsvSource({"grpc,gzip", "http,none"})
  void metricPointsArriveIntact(String transport, String compression) throws Exception {
    CollectingReader reader = new CollectingReader();
    SdkMeterProvider provider = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(reader).build();
    var meter = provider.get("dev.wharf.meter");
    var requests = meter.counterBuilder("http.server.requests").setUnit("{request}").setDescription("Requests").build();
    requests.add(3, Attributes.of(AttributeKey.stringKey("route"), "/cart"));
    requests.add(5, Attributes.of(AttributeKey.stringKey("route"), "/pay"));
    var latency = meter.histogramBuilder("http.server.duration").setUnit("ms").build();
    latency.record(12.5, Attributes.of(AttributeKey.stringKey("route"), "/cart"));
    latency.record(250, Attributes.of(AttributeKey.stringKey("route"), "/cart"));
    var temp = meter.gaugeBuilder("room.temperature").build();
    temp.set(21.5, Attributes.of(AttributeKey.booleanKey("indoor"), true));
    var queue = meter.upDownCounterBuilder("queue.depth").build();
    queue.add(-4);
    Collection<MetricData> data = reader.collect();

    MetricExporter exporter = transport.equals("grpc")
        ? OtlpGrpcMetricExporter.builder().setEndpoint(endpoint(transport, "metrics")).setCompression(compression).build()
        : OtlpHttpMetricExporter.builder().setEndpoint(endpoint(transport, "metrics")).setCompression(compression).build();
    assertThat(exporter.export(data).join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    exporter.shutdown();
    provider.shutdown();

    int expectedPoints = data.stream().mapToInt(m -> m.getData().getPoints().size()).sum();
    assertThat(expectedPoints).isEqualTo(5);
    assertThat(wharf.metrics.awaitItems(expectedPoints, Duration.ofSeconds(10))).isTrue();
    Map<String, Metric> byName = new HashMap<>();
    for (ResourceMetrics rm : wharf.metrics.all().getResourceMetricsList()) {
      assertSameAttributes(RESOURCE.getAttributes(), rm.getResource().getAttributesList());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        assertThat(sm.getScope().getName()).isEqualTo("dev.wharf.meter");
        for (Metric m : sm.getMetricsList()) {
          byName.put(m.getName(), m);
        }
      }
    }
    for (MetricData md : data) {
      Metric m = byName.get(md.getName());
      assertThat(m).as(md.getName()).isNotNull();
      assertThat(m.getUnit()).isEqualTo(md.getUnit());
      assertThat(m.getDescription()).isEqualTo(md.getDescription());
      for (PointData pd : md.getData().getPoints()) {
        assertThat(matchingPoints(m, pd)).as("point %s of %s", pd, md.getName()).isEqualTo(1);
      }
    }
    assertThat(wharf.metric("otelcol_receiver_accepted_metric_points", "transport", transport)).isEqualTo(expectedPoints);
  }

  /** How many points of {@code m} equal the SDK point in attributes, times and value. */
  static long matchingPoints(Metric m, PointData pd) {
    Map<String, Object> attrs = OtlpTestSupport.fromSdk(pd.getAttributes());
    switch (m.getDataCase()) {
      case SUM:
      case GAUGE: {
        List<NumberDataPoint> points = m.getDataCase() == Metric.DataCase.SUM ? m.getSum().getDataPointsList()
            : m.getGauge().getDataPointsList();
        return points.stream().filter(p -> OtlpTestSupport.fromProto(p.getAttributesList()).equals(attrs)
            && p.getTimeUnixNano() == pd.getEpochNanos() && p.getStartTimeUnixNano() == pd.getStartEpochNanos()
            && (pd instanceof LongPointData l ? p.getAsInt() == l.getValue()
                : p.getAsDouble() == ((DoublePointData) pd).getValue())).count();
      }
      case HISTOGRAM: {
        HistogramPointData h = (HistogramPointData) pd;
        return m.getHistogram().getDataPointsList().stream()
            .filter(p -> OtlpTestSupport.fromProto(p.getAttributesList()).equals(attrs)
                && p.getCount() == h.getCount() && p.getSum() == h.getSum() && p.getMin() == h.getMin()
                && p.getMax() == h.getMax() && p.getBucketCountsList().equals(h.getCounts())
                && p.getExplicitBoundsList().equals(h.getBoundaries())
                && p.getTimeUnixNano() == h.getEpochNanos()).count();
      }
      default:
        return 0;
    }
  }

  // ---------------------------------------------------------------------- logs

  @ParameterizedTest
  @CsvSource({"grpc,none", "http,gzip"})
  void logRecordsArriveIntact(String transport, String compression) throws Exception {
    LogRecordExporter otlp = transport.equals("grpc")
        ? OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint(transport, "logs")).setCompression(compression).build()
        : OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint(transport, "logs")).setCompression(compression).build();
    SdkRecorders.Logs recorder = new SdkRecorders.Logs();
    List<LogRecordData> sent = recorder.logs;
    LogRecordProcessor processor = SimpleLogRecordProcessor.create(LogRecordExporter.composite(otlp, recorder));
    SdkLoggerProvider provider = SdkLoggerProvider.builder().setResource(RESOURCE).addLogRecordProcessor(processor).build();
    var logger = provider.get("dev.wharf.logger");
    SdkTracerProvider tracing = SdkTracerProvider.builder().build();
    Span span = Span.wrap(io.opentelemetry.api.trace.SpanContext.create("0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331", io.opentelemetry.api.trace.TraceFlags.getSampled(),
          io.opentelemetry.api.trace.TraceState.getDefault()));
    logger.logRecordBuilder().setSeverity(Severity.WARN).setSeverityText("WARN").setBody("disk almost full")
        .setAttribute(AttributeKey.longKey("free.mb"), 12L).setAttribute(AttributeKey.stringKey("mount"), "/data")
        .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS).setContext(Context.root().with(span)).emit();
    logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("started").emit();
    span.end();
    assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown();
    tracing.shutdown();

    assertThat(wharf.logs.awaitItems(2, Duration.ofSeconds(10))).isTrue();
    List<LogRecord> got = new ArrayList<>();
    for (ResourceLogs rl : wharf.logs.all().getResourceLogsList()) {
      assertSameAttributes(RESOURCE.getAttributes(), rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        assertThat(sl.getScope().getName()).isEqualTo("dev.wharf.logger");
        got.addAll(sl.getLogRecordsList());
      }
    }
    assertThat(got).hasSize(sent.size()).hasSize(2);
    for (LogRecordData d : sent) {
      LogRecord r = got.stream().filter(x -> x.getBody().getStringValue().equals(d.getBodyValue().asString()))
          .findFirst().orElseThrow();
      assertThat(r.getSeverityNumber().getNumber()).isEqualTo(d.getSeverity().getSeverityNumber());
      assertThat(r.getSeverityText()).isEqualTo(d.getSeverityText() == null ? "" : d.getSeverityText());
      assertThat(r.getTimeUnixNano()).isEqualTo(d.getTimestampEpochNanos());
      assertThat(r.getObservedTimeUnixNano()).isEqualTo(d.getObservedTimestampEpochNanos());
      SpanContext sc = d.getSpanContext();
      assertThat(hex(r.getTraceId())).isEqualTo(sc.isValid() ? sc.getTraceId() : "");
      if (r.getBody().getStringValue().equals("disk almost full")) {
        assertThat(hex(r.getTraceId())).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      }
      assertThat(hex(r.getSpanId())).isEqualTo(sc.isValid() ? sc.getSpanId() : "");
      assertSameAttributes(d.getAttributes(), r.getAttributesList());
    }
    assertThat(wharf.metric("otelcol_receiver_accepted_log_records", "transport", transport)).isEqualTo(2);
  }

}
