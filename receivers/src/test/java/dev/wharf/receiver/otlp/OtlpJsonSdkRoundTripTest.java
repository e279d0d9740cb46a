package dev.wharf.receiver.otlp;

import static dev.wharf.receiver.otlp.OtlpTestSupport.assertSameAttributes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.SdkRecorders;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;

import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OTLP/JSON written by the OpenTelemetry Java SDK (the request marshalers of
 * opentelemetry-exporter-otlp-common, which its OTLP/JSON exporters use; the logging-otlp artifact
 * is not published for SDK 1.67) is posted to /v1/* as application/json and must arrive exactly as
 * the SDK produced it.
 */
class OtlpJsonSdkRoundTripTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private OtlpTestSupport.Running wharf;

  @BeforeEach
  void start() throws Exception {
    wharf = new OtlpTestSupport.Running("""
        protocols:
          http:
            endpoint: 127.0.0.1:0
        """);
  }

  @AfterEach
  void stop() {
    wharf.close();
  }

  /** The OTLP/JSON request body the SDK writes for these items (its JSON exporters' marshalers). */
  private static String sdkJson(io.opentelemetry.exporter.internal.marshal.Marshaler m) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    m.writeJsonTo(out);
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  private HttpResponse<String> postJson(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void spansFromTheSdkJsonExporterRoundTrip() throws Exception {
    SdkRecorders.Spans recorder = new SdkRecorders.Spans();
    List<SpanData> sent = recorder.spans;
    {
      SdkTracerProvider provider = SdkTracerProvider.builder().setResource(OtlpReceiverSdkTest.RESOURCE)
          .addSpanProcessor(SimpleSpanProcessor.create(recorder)).build();
      var tracer = provider.get("json.test", "0.1");
      Span parent = tracer.spanBuilder("parent").setSpanKind(SpanKind.PRODUCER)
          .setAttribute(AttributeKey.doubleArrayKey("weights"), List.of(0.5, 1.5))
          .setAttribute(AttributeKey.booleanArrayKey("flags"), List.of(true, false))
          .setAttribute("big", Long.MAX_VALUE).setAttribute("text", "ünïcødé \"quoted\"").startSpan();
      Span child = tracer.spanBuilder("child").setParent(Context.current().with(parent)).startSpan();
      child.addEvent("exception", Attributes.of(AttributeKey.stringKey("exception.type"), "IOException"));
      child.setStatus(StatusCode.ERROR, "boom");
      child.end();
      parent.end();
      provider.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(sent).hasSize(2);
      String json = sdkJson(TraceRequestMarshaler.create(sent));
      assertThat(json).contains("\"traceId\":\"" + sent.get(0).getTraceId() + "\"");
      HttpResponse<String> r = postJson("/v1/traces", json);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(r.body()).isEqualTo("{}");
    }
    Map<String, SpanData> bySpanId = new HashMap<>();
    sent.forEach(s -> bySpanId.put(s.getSpanId(), s));
    int compared = 0;
    for (var rs : wharf.traces.all().getResourceSpansList()) {
      assertSameAttributes(OtlpReceiverSdkTest.RESOURCE.getAttributes(), rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        assertThat(ss.getScope().getVersion()).isEqualTo("0.1");
        for (var p : ss.getSpansList()) {
          OtlpReceiverSdkTest.assertSpan(bySpanId.get(OtlpReceiverSdkTest.hex(p.getSpanId())), p);
          compared++;
        }
      }
    }
    assertThat(compared).isEqualTo(2);
    assertThat(wharf.metric("otelcol_receiver_accepted_spans", "transport", "http")).isEqualTo(2);
  }

  @Test
  void metricsFromTheSdkJsonExporterRoundTrip() throws Exception {
    OtlpReceiverSdkTest.CollectingReader reader = new OtlpReceiverSdkTest.CollectingReader();
    SdkMeterProvider provider = SdkMeterProvider.builder().setResource(OtlpReceiverSdkTest.RESOURCE)
        .registerMetricReader(reader).build();
    var meter = provider.get("json.meter");
    meter.counterBuilder("jobs").build().add(7, Attributes.of(AttributeKey.stringKey("queue"), "high"));
    meter.histogramBuilder("size").ofLongs().build().record(300, Attributes.of(AttributeKey.longKey("shard"), 3L));
    meter.gaugeBuilder("load").build().set(0.75);
    Collection<MetricData> data = reader.collect();
    assertThat(postJson("/v1/metrics", sdkJson(MetricsRequestMarshaler.create(data))).statusCode()).isEqualTo(200);
    provider.shutdown();
    Map<String, Metric> byName = new HashMap<>();
    wharf.metrics.all().getResourceMetricsList().forEach(rm -> rm.getScopeMetricsList()
        .forEach(sm -> sm.getMetricsList().forEach(m -> byName.put(m.getName(), m))));
    int points = 0;
    for (MetricData md : data) {
      Metric m = byName.get(md.getName());
      assertThat(m).as(md.getName()).isNotNull();
      for (PointData pd : md.getData().getPoints()) {
        assertThat(OtlpReceiverSdkTest.matchingPoints(m, pd)).as("%s %s", md.getName(), pd).isEqualTo(1);
        points++;
      }
    }
    assertThat(points).isEqualTo(3);
    assertThat(wharf.metric("otelcol_receiver_accepted_metric_points", "transport", "http")).isEqualTo(3);
  }

  @Test
  void logsFromTheSdkJsonExporterRoundTrip() throws Exception {
    SdkRecorders.Logs recorder = new SdkRecorders.Logs();
    List<LogRecordData> sent = recorder.logs;
    {
      SdkLoggerProvider provider = SdkLoggerProvider.builder().setResource(OtlpReceiverSdkTest.RESOURCE)
          .addLogRecordProcessor(SimpleLogRecordProcessor.create(
              recorder)).build();
      SdkTracerProvider tracing = SdkTracerProvider.builder().build();
      Span span = Span.wrap(io.opentelemetry.api.trace.SpanContext.create("0af7651916cd43dd8448eb211c80319c",
          "b7ad6b7169203331", io.opentelemetry.api.trace.TraceFlags.getSampled(),
          io.opentelemetry.api.trace.TraceState.getDefault()));
      provider.get("json.logger").logRecordBuilder().setSeverity(Severity.ERROR).setSeverityText("E")
          .setBody("payment failed").setAttribute(AttributeKey.longKey("amount.cents"), 1999L)
          .setContext(Context.root().with(span)).emit();
      span.end();
      provider.shutdown().join(10, TimeUnit.SECONDS);
      tracing.shutdown();
      assertThat(sent).hasSize(1);
      assertThat(postJson("/v1/logs", sdkJson(LogsRequestMarshaler.create(sent))).statusCode()).isEqualTo(200);
    }
    io.opentelemetry.proto.logs.v1.LogRecord r = wharf.logs.all().getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    LogRecordData d = sent.get(0);
    assertThat(r.getBody().getStringValue()).isEqualTo("payment failed");
    assertThat(r.getSeverityNumber().getNumber()).isEqualTo(Severity.ERROR.getSeverityNumber());
    assertThat(r.getSeverityText()).isEqualTo("E");
    assertThat(r.getObservedTimeUnixNano()).isEqualTo(d.getObservedTimestampEpochNanos());
    assertThat(OtlpReceiverSdkTest.hex(r.getTraceId())).isEqualTo(d.getSpanContext().getTraceId());
    assertThat(OtlpReceiverSdkTest.hex(r.getSpanId())).isEqualTo(d.getSpanContext().getSpanId());
    assertThat(r.getFlags()).isEqualTo(d.getSpanContext().getTraceFlags().asByte() & 0xff);
    assertSameAttributes(d.getAttributes(), r.getAttributesList());
    assertThat(wharf.metric("otelcol_receiver_accepted_log_records", "transport", "http")).isEqualTo(1);
  }
}
