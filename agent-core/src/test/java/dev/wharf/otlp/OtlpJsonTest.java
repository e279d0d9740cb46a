package dev.wharf.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OtlpJsonTest {
  private final OtlpJson json = OtlpJson.otlp();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private <M extends Message> M roundTrip(M m) throws Exception {
    return json.parse(json.write(m), m);
  }

  @Test
  void roundTripsTheThreeSignals() throws Exception {
    TracesData t = TestData.traces("svc", 5, 42);
    MetricsData m = TestData.metrics("svc", 3);
    LogsData l = TestData.logs("svc", 4);
    assertThat(roundTrip(t)).isEqualTo(t);
    assertThat(roundTrip(m)).isEqualTo(m);
    assertThat(roundTrip(l)).isEqualTo(l);
  }

  @Test
  void writesIdsAsHexEnumsAsIntegersAnd64BitIntegersAsStrings() {
    Span span = Span.newBuilder()
        .setTraceId(ByteString.fromHex("5b8efff798038103d269b633813fc60c"))
        .setSpanId(ByteString.fromHex("eee19b7ec3c1b174"))
        .setParentSpanId(ByteString.fromHex("eee19b7ec3c1b173"))
        .setName("I'm a server span").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1544712660000000000L).setEndTimeUnixNano(-1L) // max uint64
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
        .build();
    String out = new String(json.write(span), StandardCharsets.UTF_8);
    assertThat(out).contains("\"traceId\":\"5b8efff798038103d269b633813fc60c\"")
        .contains("\"spanId\":\"eee19b7ec3c1b174\"")
        .contains("\"parentSpanId\":\"eee19b7ec3c1b173\"")
        .contains("\"kind\":2")
        .contains("\"startTimeUnixNano\":\"1544712660000000000\"")
        .contains("\"endTimeUnixNano\":\"18446744073709551615\"")
        .contains("\"status\":{\"code\":2}")
        .doesNotContain("droppedAttributesCount");
  }

  @Test
  void readsTheSpecificationExample() throws Exception {
    String doc = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
          "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute","value":{"stringValue":"some scope attribute"}}]},
          "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173",
            "name":"I'm a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,"kind":2,
            "attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}},
                          {"key":"int","value":{"intValue":"0"}},{"key":"dbl","value":{"doubleValue":"NaN"}},
                          {"key":"arr","value":{"arrayValue":{"values":[{"boolValue":true},{"intValue":7}]}}},
                          {"key":"bytes","value":{"bytesValue":"AAEC"}}],
            "futureField":{"nested":[1,2,{"x":null}]}}]}]}],
         "someUnknownTopLevel":true}
        """;
    TracesData t = json.parse(utf8(doc), TracesData.getDefaultInstance());
    Span s = t.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(s.getTraceId()).isEqualTo(ByteString.fromHex("5b8efff798038103d269b633813fc60c"));
    assertThat(s.getSpanId()).isEqualTo(ByteString.fromHex("eee19b7ec3c1b174"));
    assertThat(s.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(s.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
    assertThat(s.getEndTimeUnixNano()).isEqualTo(1544712661000000000L);
    assertThat(s.getAttributes(1).getValue().hasIntValue()).isTrue();
    assertThat(s.getAttributes(1).getValue().getIntValue()).isZero();
    assertThat(s.getAttributes(2).getValue().getDoubleValue()).isNaN();
    assertThat(s.getAttributes(3).getValue().getArrayValue().getValues(1).getIntValue()).isEqualTo(7);
    assertThat(s.getAttributes(4).getValue().getBytesValue()).isEqualTo(ByteString.copyFrom(new byte[] {0, 1, 2}));
    assertThat(t.getResourceSpans(0).getScopeSpans(0).getScope().getVersion()).isEqualTo("1.0.0");
    // the zero intValue of a oneof survives the round trip
    assertThat(roundTrip(t)).isEqualTo(t);
  }

  @Test
  void acceptsOriginalFieldNamesAndEnumNames() throws Exception {
    String doc = """
        {"resource_logs":[{"scope_logs":[{"log_records":[{"time_unix_nano":12,"severity_number":"SEVERITY_NUMBER_WARN",
         "trace_id":"","body":{"string_value":"hi"}}]}]}]}""";
    LogsData l = json.parse(utf8(doc), LogsData.getDefaultInstance());
    var rec = l.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    assertThat(rec.getTimeUnixNano()).isEqualTo(12);
    assertThat(rec.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_WARN);
    assertThat(rec.getBody().getStringValue()).isEqualTo("hi");
    assertThat(rec.getTraceId()).isEqualTo(ByteString.EMPTY);
  }

  @Test
  void roundTripsHistogramsWithNestedAnyValues() throws Exception {
    AnyValue kv = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
        .addValues(KeyValue.newBuilder().setKey("a").setValue(AnyValue.newBuilder()
            .setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setDoubleValue(-0.5)))))).build();
    MetricsData m = MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("h")
            .setHistogram(Histogram.newBuilder().setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
                .addDataPoints(HistogramDataPoint.newBuilder().setCount(3).setSum(1.5).setMin(0).setMax(1)
                    .addBucketCounts(1).addBucketCounts(2).addExplicitBounds(0.5)
                    .addAttributes(KeyValue.newBuilder().setKey("k").setValue(kv))))))).build();
    MetricsData back = roundTrip(m);
    assertThat(back).isEqualTo(m);
    // optional min/max set to 0 keep their presence
    assertThat(back.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getHistogram().getDataPoints(0).hasMin()).isTrue();
  }

  @Test
  void writesPartialSuccessResponses() throws Exception {
    ExportTraceServiceResponse r = ExportTraceServiceResponse.newBuilder()
        .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(5).setErrorMessage("too old")).build();
    assertThat(new String(json.write(r), StandardCharsets.UTF_8))
        .isEqualTo("{\"partialSuccess\":{\"rejectedSpans\":\"5\",\"errorMessage\":\"too old\"}}");
    assertThat(new String(json.write(ExportTraceServiceResponse.getDefaultInstance()), StandardCharsets.UTF_8)).isEqualTo("{}");
    assertThat(roundTrip(r)).isEqualTo(r);
  }

  @Test
  void reportsThePathOfABadValue() {
    assertThatThrownBy(() -> json.parse(utf8(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{},{\"traceId\":\"abc\"}]}]}]}"), TracesData.getDefaultInstance()))
        .isInstanceOf(OtlpJsonException.class)
        .hasMessage("resourceSpans[0].scopeSpans[0].spans[1].traceId: expected 32 hex digits, got 3 characters");
    assertThatThrownBy(() -> json.parse(utf8(
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"yesterday\"}]}]}]}"), TracesData.getDefaultInstance()))
        .hasMessage("resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an integer, got 'yesterday'");
    assertThatThrownBy(() -> json.parse(utf8("{\"resourceSpans\":{}}"), TracesData.getDefaultInstance()))
        .hasMessage("resourceSpans: expected an array, got an object");
    assertThatThrownBy(() -> json.parse(utf8("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":5}]}]}]}"),
        TracesData.getDefaultInstance()))
        .hasMessage("resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got the number 5");
    assertThatThrownBy(() -> json.parse(utf8("[]"), TracesData.getDefaultInstance()))
        .hasMessage("expected an object, got an array");
    assertThatThrownBy(() -> json.parse(utf8("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":-1}]}]}]}"),
        TracesData.getDefaultInstance()))
        .hasMessageContaining("out of range for fixed64");
    assertThatThrownBy(() -> json.parse(utf8("{\"resourceSpans\":[{"), TracesData.getDefaultInstance()))
        .isInstanceOf(OtlpJsonException.class).hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> json.parse(utf8(""), TracesData.getDefaultInstance()))
        .hasMessage("empty JSON document");
    assertThatThrownBy(() -> json.parse(utf8("{} {}"), TracesData.getDefaultInstance()))
        .hasMessage("unexpected content after the JSON object");
  }

  @Test
  void refusesExcessiveNesting() {
    StringBuilder sb = new StringBuilder("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":");
    for (int i = 0; i < 300; i++) {
      sb.append("{\"arrayValue\":{\"values\":[");
    }
    assertThatThrownBy(() -> json.parse(utf8(sb.toString()), LogsData.getDefaultInstance()))
        .isInstanceOf(OtlpJsonException.class).hasMessageContaining("limit");
  }
}
