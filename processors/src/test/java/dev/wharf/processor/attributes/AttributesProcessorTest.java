package dev.wharf.processor.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.Processor;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class AttributesProcessorTest {

  @SuppressWarnings("unchecked")
  static AttributesProcessorConfig config(ConfigProblems problems, String yaml) {
    Map<String, Object> m = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(yaml);
    ConfigNode node = ConfigNode.of("processors.attributes", m, problems);
    AttributesProcessorConfig c = new AttributesProcessorFactory().parseConfig(node);
    node.checkUnknownKeys();
    return c;
  }

  static AttributesProcessorConfig config(String yaml) {
    ConfigProblems p = new ConfigProblems();
    AttributesProcessorConfig c = config(p, yaml);
    assertThat(p.list()).isEmpty();
    return c;
  }

  static <T extends com.google.protobuf.Message> Processor<T> create(
      AttributesProcessorConfig c, Signal<T> signal, RecordingConsumer<T> sink) {
    return new AttributesProcessorFactory().createProcessor(
        TestContexts.context("attributes", ComponentKind.PROCESSOR, signal), c, signal, sink);
  }

  static KeyValue kv(String k, String v) {
    return TestData.attr(k, v);
  }

  static String attr(List<KeyValue> l, String key) {
    return l.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().getStringValue())
        .findFirst().orElse(null);
  }

  static Span span(String name, Span.SpanKind kind, KeyValue... attrs) {
    return Span.newBuilder().setName(name).setKind(kind).addAllAttributes(List.of(attrs)).build();
  }

  static TracesData traces(String service, String scope, String version, Span... spans) {
    return TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", service)).addAttributes(kv("env", "prod")))
        .addScopeSpans(ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName(scope).setVersion(version))
            .addAllSpans(List.of(spans)))).build();
  }

  static List<String> tagged(TracesData d) {
    return d.getResourceSpansList().stream().flatMap(r -> r.getScopeSpansList().stream())
        .flatMap(s -> s.getSpansList().stream())
        .filter(s -> "yes".equals(attr(s.getAttributesList(), "tagged"))).map(Span::getName).toList();
  }

  static final String ACTIONS = "actions: [{key: tagged, value: \"yes\", action: upsert}]\n";

  @Test
  void withoutMatchBlocksEverySpanIsProcessed() {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    create(config(ACTIONS), Signal.TRACES, sink).consume(traces("svc", "lib", "1",
        span("a", Span.SpanKind.SPAN_KIND_SERVER), span("b", Span.SpanKind.SPAN_KIND_CLIENT)));
    assertThat(tagged(sink.all())).containsExactly("a", "b");
  }

  @Test
  void strictIncludeOnServicesSpanNamesKindsAttributesResourcesLibraries() {
    TracesData in = traces("checkout", "io.opentelemetry.http", "1.2",
        span("GET /a", Span.SpanKind.SPAN_KIND_SERVER, kv("http.method", "GET")),
        span("GET /b", Span.SpanKind.SPAN_KIND_CLIENT, kv("http.method", "GET")),
        span("POST /a", Span.SpanKind.SPAN_KIND_SERVER, kv("http.method", "POST")));
    Map<String, List<String>> cases = Map.of(
        "services: [checkout]", List.of("GET /a", "GET /b", "POST /a"),
        "services: [other]", List.of(),
        "span_names: [GET /a, POST /a]", List.of("GET /a", "POST /a"),
        "span_kinds: [SPAN_KIND_CLIENT]", List.of("GET /b"),
        "attributes: [{key: http.method, value: GET}]", List.of("GET /a", "GET /b"),
        "attributes: [{key: http.method}]", List.of("GET /a", "GET /b", "POST /a"),
        "resources: [{key: env, value: prod}]", List.of("GET /a", "GET /b", "POST /a"),
        "libraries: [{name: io.opentelemetry.http, version: \"1.3\"}]", List.of(),
        "libraries: [{name: io.opentelemetry.http}]", List.of("GET /a", "GET /b", "POST /a"),
        "span_names: [GET /a, GET /b]\n    span_kinds: [SPAN_KIND_SERVER]", List.of("GET /a"));
    for (Map.Entry<String, List<String>> c : cases.entrySet()) {
      RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
      create(config(ACTIONS + "include:\n    match_type: strict\n    " + c.getKey() + "\n"), Signal.TRACES, sink)
          .consume(in);
      assertThat(tagged(sink.all())).as(c.getKey()).containsExactlyElementsOf(c.getValue());
    }
  }

  @Test
  void regexpIncludeAndExcludeCombine() {
    TracesData in = traces("checkout-v2", "lib", "",
        span("GET /health", Span.SpanKind.SPAN_KIND_SERVER, kv("http.route", "/health")),
        span("GET /orders/1", Span.SpanKind.SPAN_KIND_SERVER, kv("http.route", "/orders/{id}")),
        span("SELECT", Span.SpanKind.SPAN_KIND_CLIENT, kv("db.system", "postgres")));
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    create(config(ACTIONS
        + "include:\n  match_type: regexp\n  services: [\"^checkout\"]\n  span_names: [\"^GET \"]\n"
        + "exclude:\n  match_type: regexp\n  attributes: [{key: http.route, value: \"health\"}]\n"),
        Signal.TRACES, sink).consume(in);
    assertThat(tagged(sink.all())).containsExactly("GET /orders/1");
  }

  @Test
  void untouchedDataIsPassedOnAsIs() {
    TracesData in = traces("svc", "lib", "", span("a", Span.SpanKind.SPAN_KIND_SERVER));
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    create(config(ACTIONS + "include: {match_type: strict, services: [nope]}\n"), Signal.TRACES, sink).consume(in);
    assertThat(sink.received().get(0)).isSameAs(in);
  }

  @Test
  void logRecordsMatchOnBodySeverityAndAttributes() {
    LogsData in = LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(TestData.resource("svc"))
        .addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(log("debug line", "DEBUG", SeverityNumber.SEVERITY_NUMBER_DEBUG))
            .addLogRecords(log("payment failed", "ERROR", SeverityNumber.SEVERITY_NUMBER_ERROR))
            .addLogRecords(log("no severity", "", SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED))
            .addLogRecords(log("warn", "WARN", SeverityNumber.SEVERITY_NUMBER_WARN2)))).build();
    Map<String, List<String>> cases = Map.of(
        "log_severity_number: {min: WARN}", List.of("payment failed", "warn"),
        "log_severity_number: {min: warn2, match_undefined: true}", List.of("payment failed", "no severity", "warn"),
        "log_severity_number: {min: 17}", List.of("payment failed"),
        "log_severity_texts: [DEBUG, WARN]", List.of("debug line", "warn"),
        "log_bodies: [\"payment failed\"]", List.of("payment failed"));
    for (Map.Entry<String, List<String>> c : cases.entrySet()) {
      RecordingConsumer<LogsData> sink = new RecordingConsumer<>(Signal.LOGS);
      create(config(ACTIONS + "include:\n  match_type: strict\n  " + c.getKey() + "\n"), Signal.LOGS, sink)
          .consume(in);
      List<String> got = sink.all().getResourceLogs(0).getScopeLogs(0).getLogRecordsList().stream()
          .filter(l -> "yes".equals(attr(l.getAttributesList(), "tagged")))
          .map(l -> l.getBody().getStringValue()).toList();
      assertThat(got).as(c.getKey()).containsExactlyElementsOf(c.getValue());
    }
    RecordingConsumer<LogsData> sink = new RecordingConsumer<>(Signal.LOGS);
    create(config(ACTIONS + "exclude:\n  match_type: regexp\n  log_bodies: [\"^(debug|warn)\"]\n"), Signal.LOGS, sink)
        .consume(in);
    assertThat(sink.all().getResourceLogs(0).getScopeLogs(0).getLogRecordsList())
        .extracting(l -> attr(l.getAttributesList(), "tagged")).containsExactly(null, "yes", "yes", null);
  }

  static LogRecord log(String body, String sevText, SeverityNumber sev) {
    return LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(body))
        .setSeverityText(sevText).setSeverityNumber(sev).build();
  }

  @Test
  void metricDataPointsOfEveryTypeAreProcessedForMatchingMetricNames() {
    KeyValue a = kv("k", "v");
    MetricsData in = MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(TestData.resource("svc"))
        .addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("app.gauge")
                .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().addAttributes(a))))
            .addMetrics(Metric.newBuilder().setName("app.sum")
                .setSum(Sum.newBuilder().addDataPoints(NumberDataPoint.newBuilder().addAttributes(a))))
            .addMetrics(Metric.newBuilder().setName("app.hist")
                .setHistogram(Histogram.newBuilder().addDataPoints(HistogramDataPoint.newBuilder().addAttributes(a))))
            .addMetrics(Metric.newBuilder().setName("app.exp").setExponentialHistogram(
                ExponentialHistogram.newBuilder().addDataPoints(ExponentialHistogramDataPoint.newBuilder().addAttributes(a))))
            .addMetrics(Metric.newBuilder().setName("app.summary")
                .setSummary(Summary.newBuilder().addDataPoints(SummaryDataPoint.newBuilder().addAttributes(a))))
            .addMetrics(Metric.newBuilder().setName("other.gauge")
                .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().addAttributes(a))))))
        .build();
    RecordingConsumer<MetricsData> sink = new RecordingConsumer<>(Signal.METRICS);
    create(config("actions: [{key: k, action: hash}, {key: added, value: 1, action: insert}]\n"
        + "include: {match_type: regexp, metric_names: [\"^app\\\\.\"], resources: [{key: service.name, value: \"^svc$\"}]}\n"),
        Signal.METRICS, sink).consume(in);
    List<Metric> out = sink.all().getResourceMetrics(0).getScopeMetrics(0).getMetricsList();
    assertThat(attr(out.get(0).getGauge().getDataPoints(0).getAttributesList(), "k")).hasSize(64).isNotEqualTo("v");
    assertThat(out.get(1).getSum().getDataPoints(0).getAttributesList()).hasSize(2);
    assertThat(out.get(2).getHistogram().getDataPoints(0).getAttributesList()).hasSize(2);
    assertThat(out.get(3).getExponentialHistogram().getDataPoints(0).getAttributesList()).hasSize(2);
    assertThat(out.get(4).getSummary().getDataPoints(0).getAttributesList()).hasSize(2);
    assertThat(out.get(5)).isSameAs(in.getResourceMetrics(0).getScopeMetrics(0).getMetrics(5));
  }

  @Test
  void matchBlocksAreValidatedPerSignalWithTheirPath() {
    AttributesProcessorConfig spanOnly = config(ACTIONS + "include: {match_type: strict, span_names: [a]}\n");
    assertThatThrownBy(() -> create(spanOnly, Signal.LOGS, new RecordingConsumer<>(Signal.LOGS)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("processors.attributes.include: services, span_names and span_kinds are not valid "
            + "for log records (in a logs pipeline)");
    assertThatThrownBy(() -> create(spanOnly, Signal.METRICS, new RecordingConsumer<>(Signal.METRICS)))
        .hasMessageContaining("processors.attributes.include: at least one of metric_names or resources");
    AttributesProcessorConfig logOnly = config(ACTIONS + "exclude: {match_type: strict, log_bodies: [a]}\n");
    assertThatThrownBy(() -> create(logOnly, Signal.TRACES, new RecordingConsumer<>(Signal.TRACES)))
        .hasMessageContaining("processors.attributes.exclude: log_bodies should not be specified for trace spans");
    AttributesProcessorConfig badKind = config(ACTIONS + "include: {match_type: strict, span_kinds: [server]}\n");
    assertThatThrownBy(() -> create(badKind, Signal.TRACES, new RecordingConsumer<>(Signal.TRACES)))
        .hasMessageContaining("span_kinds must be one of");

    ConfigProblems p = new ConfigProblems();
    config(p, "actions: [{key: a, action: upsert}]\n"
        + "include: {match_type: fuzzy, span_names: [a], services: [\"(\"], colour: red}\n"
        + "exclude: {match_type: regexp, attributes: [{key: x, value: 3}], log_severity_number: {min: LOUD}}\n");
    assertThat(p.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "processors.attributes.actions[0].value: one of value, from_attribute or from_context is required for action upsert",
        "processors.attributes.include.match_type: expected one of [strict, regexp], got 'fuzzy'",
        "processors.attributes.include.colour: unknown key",
        "processors.attributes.exclude.attributes[0].value: must be a string (a regular expression) when match_type is regexp",
        "processors.attributes.exclude.log_severity_number.min: expected a severity such as TRACE, DEBUG, INFO2, WARN, "
            + "ERROR or FATAL4, got 'LOUD'");

    ConfigProblems noActions = new ConfigProblems();
    config(noActions, "include: {match_type: strict, services: [a]}\n");
    assertThat(noActions.list()).extracting(Object::toString)
        .containsExactly("processors.attributes.actions: is required: a list of {key, action, ...} entries");
  }
}
