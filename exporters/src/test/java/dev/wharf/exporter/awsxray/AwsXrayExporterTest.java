package dev.wharf.exporter.awsxray;

import static dev.wharf.exporter.awsxray.XrayTestSpans.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Exporter;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import dev.wharf.testing.aws.RecordingAwsEndpoint;
import dev.wharf.testing.aws.RecordingAwsEndpoint.Answer;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The exporter end to end on loopback: the real AWS SDK v2 X-Ray client, built by the exporter from
 * its config and environment, talking to {@link RecordingAwsEndpoint}, which checks every request's
 * SigV4 signature for the configured region and credentials and every document's shape and size.
 */
class AwsXrayExporterTest {
  static final String REGION = "us-west-2";
  final RecordingAwsEndpoint endpoint = RecordingAwsEndpoint.xray(REGION);
  final SelfTelemetry telemetry = SelfTelemetry.inMemory();
  final List<Exporter<TracesData>> started = new ArrayList<>();

  @AfterEach
  void stop() {
    for (Exporter<TracesData> e : started) {
      e.shutdown(System.nanoTime() + 2_000_000_000L);
    }
    endpoint.close();
  }

  /** Synchronous (no queue), fast retries, no SDK retries unless a test asks for them. */
  Map<String, Object> config(Object... more) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("region", REGION);
    c.put("max_retries", 0);
    c.put("sending_queue", Map.of("enabled", false));
    c.put("retry_on_failure", Map.of("initial_interval", "10ms", "max_interval", "20ms",
        "max_elapsed_time", "3s"));
    for (int i = 0; i < more.length; i += 2) {
      c.put((String) more[i], more[i + 1]);
    }
    return c;
  }

  Exporter<TracesData> exporter(Map<String, Object> yaml, Map<String, String> env) throws Exception {
    AwsXrayExporterFactory f = new AwsXrayExporterFactory();
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("exporters.awsxray", yaml, problems);
    AwsXrayConfig cfg = f.parseConfig(node);
    node.checkUnknownKeys();
    assertThat(problems.list()).isEmpty();
    ComponentContext ctx = TestContexts.context("awsxray", ComponentKind.EXPORTER, Signal.TRACES, telemetry, env);
    Exporter<TracesData> e = f.createExporter(ctx, cfg, Signal.TRACES);
    e.start(new TestHost());
    started.add(e);
    return e;
  }

  Exporter<TracesData> exporter(Map<String, Object> yaml) throws Exception {
    return exporter(yaml, endpoint.env());
  }

  double metric(String name, String... tags) {
    return TestContexts.metric(telemetry, name, tags);
  }

  static TracesData traces(int n) {
    return TestData.traces("orders", n, 7);
  }

  Set<String> sentIds() {
    Set<String> ids = new TreeSet<>();
    for (Map<String, Object> d : endpoint.segmentDocuments()) {
      ids.add((String) d.get("id"));
    }
    return ids;
  }

  static Set<String> spanIds(TracesData data) {
    Set<String> ids = new TreeSet<>();
    for (ResourceSpans rs : data.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ss.getSpansList().forEach(s -> ids.add(SpanToSegment.hex(s.getSpanId())));
      }
    }
    return ids;
  }

  @Test
  void sendsSignedValidDocumentsInCallsOfAtMost50() throws Exception {
    TracesData data = traces(120);
    exporter(config()).consume(data);
    List<RecordingAwsEndpoint.Recorded> calls = endpoint.requests("PutTraceSegments");
    assertThat(endpoint.problems()).isEmpty();
    assertThat(calls).extracting(r -> r.traceSegmentDocuments().size()).containsExactly(50, 50, 20);
    assertThat(calls.get(0).headers().keySet()).anyMatch(h -> h.equalsIgnoreCase("Authorization"));
    assertThat(sentIds()).isEqualTo(spanIds(data));
    Map<String, Object> first = endpoint.segmentDocuments().get(0);
    assertThat(first.get("name")).isEqualTo("orders");
    assertThat(first.get("trace_id")).asString().matches("1-[0-9a-f]{8}-[0-9a-f]{24}");
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(120);
    assertThat(metric("wharf_exporter_awsxray_documents_sent", "exporter", "awsxray")).isEqualTo(120);
  }

  @Test
  void theTwoDocumentsOfALocalRootSpanStayInOneCall() throws Exception {
    TracesData plain = traces(49);
    TracesData.Builder b = plain.toBuilder();
    b.getResourceSpansBuilder(0).getScopeSpansBuilder(0).addSpans(withAttrs(span(SpanKind.SPAN_KIND_CLIENT, true),
        s("aws.span.kind", "LOCAL_ROOT"), s("aws.remote.service", "payments")));
    exporter(config()).consume(b.build());
    assertThat(endpoint.problems()).isEmpty();
    assertThat(endpoint.requests("PutTraceSegments")).extracting(r -> r.traceSegmentDocuments().size())
        .containsExactly(49, 2);
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(50);
  }

  @Test
  void throttlingIsRetriedByTheEngineThenSucceeds() throws Exception {
    endpoint.script(Answer.throttling(0));
    TracesData data = traces(3);
    exporter(config()).consume(data);
    assertThat(endpoint.requests("PutTraceSegments")).hasSize(2);
    assertThat(endpoint.problems()).isEmpty();
    assertThat(sentIds()).isEqualTo(spanIds(data));
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(3);
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isZero();
  }

  @Test
  void throttlingCarriesRetryAfterAndIsRetryable() throws Exception {
    endpoint.script(Answer.throttling(7));
    Exporter<TracesData> e = exporter(config("retry_on_failure", Map.of("enabled", false)));
    assertThatThrownBy(() -> e.consume(traces(2)))
        .isInstanceOfSatisfying(RefusedException.class, r -> {
          assertThat(r.reason()).isEqualTo(RefusedException.Reason.RESOURCE_EXHAUSTED);
          assertThat(r.retryAfter()).contains(Duration.ofSeconds(7));
          assertThat(r.getMessage()).contains("429").contains("ThrottlingException");
        });
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isEqualTo(2);
  }

  @Test
  void serverErrorsAreRetried() throws Exception {
    endpoint.script(Answer.serverError(500), Answer.serverError(503));
    TracesData data = traces(4);
    exporter(config()).consume(data);
    assertThat(endpoint.requests("PutTraceSegments")).hasSize(3);
    assertThat(sentIds()).isEqualTo(spanIds(data));
  }

  @Test
  void sdkRetriesUpToMaxRetries() throws Exception {
    endpoint.script(Answer.serverError(500));
    exporter(config("max_retries", 1, "retry_on_failure", Map.of("enabled", false))).consume(traces(2));
    assertThat(endpoint.requests("PutTraceSegments")).hasSize(2);
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(2);
  }

  @Test
  void clientErrorsArePermanent() throws Exception {
    endpoint.script(Answer.clientError(400, "InvalidRequestException", "nope"));
    Exporter<TracesData> e = exporter(config());
    assertThatThrownBy(() -> e.consume(traces(5)))
        .isInstanceOfSatisfying(RefusedException.class, r -> {
          assertThat(r.retryable()).isFalse();
          assertThat(r.getMessage()).contains("400").contains("InvalidRequestException");
        });
    assertThat(endpoint.requests("PutTraceSegments")).hasSize(1);
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isEqualTo(5);
  }

  @Test
  void aFailedCallStopsTheBatchAndOnlyTheRestIsRetried() throws Exception {
    endpoint.script(Answer.json(200, "{\"UnprocessedTraceSegments\":[]}"), Answer.serverError(500));
    TracesData data = traces(70);
    exporter(config()).consume(data);
    List<RecordingAwsEndpoint.Recorded> calls = endpoint.requests("PutTraceSegments");
    assertThat(calls).extracting(r -> r.traceSegmentDocuments().size()).containsExactly(50, 20, 20);
    assertThat(sentIds()).isEqualTo(spanIds(data));
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(70);
  }

  static Answer unprocessed(String errorCode, int howMany) {
    return new Answer(200, Map.of(), r -> {
      StringBuilder b = new StringBuilder("{\"UnprocessedTraceSegments\":[");
      List<String> docs = r.traceSegmentDocuments();
      for (int i = 0; i < howMany; i++) {
        String id = (String) dev.wharf.testing.aws.Json.object(docs.get(i)).get("id");
        b.append(i > 0 ? "," : "").append("{\"Id\":\"").append(id).append("\",\"ErrorCode\":\"")
            .append(errorCode).append("\",\"Message\":\"scripted\"}");
      }
      return b.append("]}").toString();
    });
  }

  @Test
  void retryableUnprocessedSegmentsAreSentAgain() throws Exception {
    endpoint.script(unprocessed("ThrottledException", 2));
    TracesData data = traces(5);
    exporter(config()).consume(data);
    List<RecordingAwsEndpoint.Recorded> calls = endpoint.requests("PutTraceSegments");
    assertThat(calls).extracting(r -> r.traceSegmentDocuments().size()).containsExactly(5, 2);
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(5);
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isZero();
  }

  @Test
  void nonRetryableUnprocessedSegmentsAreCountedAsDropped() throws Exception {
    endpoint.script(unprocessed("InvalidSegment", 2));
    exporter(config()).consume(traces(5));
    assertThat(endpoint.requests("PutTraceSegments")).hasSize(1);
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(3);
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isEqualTo(2);
    assertThat(metric("wharf_exporter_awsxray_spans_dropped", "exporter", "awsxray", "reason", "unprocessed"))
        .isEqualTo(2);
  }

  @Test
  void untranslatableSpansAreDroppedAndCountedOthersSent() throws Exception {
    Map<String, String> env = new HashMap<>(endpoint.env());
    env.put("WHARF_FEATURE_GATES", "-exporter.awsxray.skiptimestampvalidation");
    TracesData old = traces(3); // trace ids start with 00000000: the epoch, far too old
    TracesData.Builder b = old.toBuilder();
    long nowSeconds = System.currentTimeMillis() / 1000;
    String fresh = String.format("%08x", nowSeconds) + "b475d14618c51eaa28753d37";
    b.getResourceSpansBuilder(0).getScopeSpansBuilder(0).addSpans(span(SpanKind.SPAN_KIND_SERVER, false)
        .setTraceId(bytes(fresh)));
    exporter(config(), env).consume(b.build());
    assertThat(endpoint.segmentDocuments()).hasSize(1);
    assertThat(metric("wharf_exporter_awsxray_spans_dropped", "exporter", "awsxray", "reason", "translation"))
        .isEqualTo(3);
    assertThat(metric("otelcol_exporter_send_failed_spans", "exporter", "awsxray")).isEqualTo(3);
    assertThat(metric("otelcol_exporter_sent_spans", "exporter", "awsxray")).isEqualTo(1);
  }

  @Test
  void oversizedDocumentsAreShrunkAndCounted() throws Exception {
    TracesData.Builder b = traces(1).toBuilder();
    b.getResourceSpansBuilder(0).getScopeSpansBuilder(0).addSpans(withAttrs(span(SpanKind.SPAN_KIND_SERVER, false),
        s("big", "x".repeat(70_000))));
    exporter(config()).consume(b.build());
    assertThat(endpoint.problems()).isEmpty();
    assertThat(endpoint.segmentDocuments()).hasSize(2);
    assertThat(metric("wharf_exporter_awsxray_documents_truncated", "exporter", "awsxray")).isEqualTo(1);
  }

  @Test
  void configEndpointWinsOverTheEnvironment() throws Exception {
    Map<String, String> env = new HashMap<>(endpoint.env());
    env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9"); // nothing listens there
    env.put("AWS_ENDPOINT_URL_XRAY", "http://127.0.0.1:9");
    exporter(config("endpoint", endpoint.uri().toString()), env).consume(traces(1));
    assertThat(endpoint.segmentDocuments()).hasSize(1);
  }

  @Test
  void serviceSpecificEndpointVariableIsUsed() throws Exception {
    Map<String, String> env = new HashMap<>(endpoint.env());
    env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    env.put("AWS_ENDPOINT_URL_XRAY", endpoint.uri().toString());
    exporter(config(), env).consume(traces(1));
    assertThat(endpoint.segmentDocuments()).hasSize(1);
  }

  @Test
  void signatureForAnotherRegionIsRejectedByTheEndpoint() throws Exception {
    Exporter<TracesData> e = exporter(config("region", "eu-west-1"));
    assertThatThrownBy(() -> e.consume(traces(1))).isInstanceOf(RefusedException.class);
    assertThat(endpoint.problems()).anyMatch(p -> p.contains("signed for region eu-west-1"));
  }

  @Test
  void regionFromEcsTaskMetadataWhenNotConfigured() throws Exception {
    HttpServer metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    metadata.createContext("/v4/abc/task", ex -> {
      byte[] body = ("{\"Cluster\":\"default\",\"TaskARN\":\"arn:aws:ecs:us-west-2:111122223333:task/default/"
          + "158d1c8083dd49d6b527399fd6414f5c\",\"Family\":\"checkout\"}").getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    metadata.start();
    try {
      Map<String, String> env = new HashMap<>(endpoint.env());
      env.remove("AWS_REGION");
      env.put("ECS_CONTAINER_METADATA_URI_V4", "http://127.0.0.1:" + metadata.getAddress().getPort() + "/v4/abc");
      Map<String, Object> cfg = config();
      cfg.remove("region");
      exporter(cfg, env).consume(traces(1));
      assertThat(endpoint.problems()).isEmpty();
      assertThat(endpoint.segmentDocuments()).hasSize(1);
    } finally {
      metadata.stop(0);
    }
  }

  @Test
  void noRegionAnywhereIsAClearStartError() {
    Map<String, String> env = new HashMap<>(endpoint.env());
    env.remove("AWS_REGION");
    Map<String, Object> cfg = config("local_mode", true);
    cfg.remove("region");
    assertThatThrownBy(() -> exporter(cfg, env))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exporters.awsxray")
        .hasMessageContaining("no AWS region")
        .hasMessageContaining("AWS_REGION");
  }

  @Test
  void withTheDefaultQueueConsumeReturnsAndTheQueueDrains() throws Exception {
    Map<String, Object> cfg = config();
    cfg.remove("sending_queue");
    Exporter<TracesData> e = exporter(cfg);
    TracesData data = traces(10);
    e.consume(data);
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (endpoint.segmentDocuments().size() < 10 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(sentIds()).isEqualTo(spanIds(data));
  }

  @Test
  void telemetryRecordsAreSent() throws Exception {
    AwsXrayConfig cfg = AwsXrayConfig.parse(ConfigNode.of("exporters.awsxray", Map.of("region", REGION,
        "telemetry", Map.of("enabled", true, "include_metadata", true, "hostname", "host-1")), new ConfigProblems()));
    ComponentContext ctx = TestContexts.context("awsxray", ComponentKind.EXPORTER, Signal.TRACES, telemetry,
        endpoint.env());
    var builder = software.amazon.awssdk.services.xray.XRayClient.builder();
    var res = dev.wharf.exporter.aws.AwsClients.configure(builder, cfg.aws(), REGION, "XRAY", endpoint.env());
    try (res; var client = builder.build()) {
      XrayTelemetry t = new XrayTelemetry(ctx, cfg);
      t.start(client);
      t.received(5);
      t.sent(4, 1);
      t.flush();
      t.stop();
    }
    List<RecordingAwsEndpoint.Recorded> calls = endpoint.requests("PutTelemetryRecords");
    assertThat(endpoint.problems()).isEmpty();
    assertThat(calls).hasSize(1);
    Object record = dev.wharf.testing.aws.Json.path(calls.get(0).json(), "TelemetryRecords", "0");
    assertThat(dev.wharf.testing.aws.Json.path(record, "SegmentsReceivedCount")).isEqualTo(5L);
    assertThat(dev.wharf.testing.aws.Json.path(record, "SegmentsSentCount")).isEqualTo(4L);
    assertThat(dev.wharf.testing.aws.Json.path(record, "SegmentsRejectedCount")).isEqualTo(1L);
    assertThat(dev.wharf.testing.aws.Json.path(calls.get(0).json(), "Hostname")).isEqualTo("host-1");
  }

  @Test
  void roleArnAssumesTheRoleThroughSts() throws Exception {
    try (RecordingAwsEndpoint sts = RecordingAwsEndpoint.sts(REGION)) {
      Map<String, String> env = new HashMap<>(endpoint.env());
      env.put("AWS_ENDPOINT_URL_STS", sts.uri().toString());
      env.put("AWS_ENDPOINT_URL_XRAY", endpoint.uri().toString());
      exporter(config("role_arn", "arn:aws:iam::111122223333:role/xray"), env).consume(traces(2));
      assertThat(sts.problems()).isEmpty();
      assertThat(sts.requests("AssumeRole")).hasSize(1);
      assertThat(sts.requests("AssumeRole").get(0).bodyText())
          .contains("RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fxray");
    }
    assertThat(endpoint.problems()).isEmpty();
    RecordingAwsEndpoint.Recorded call = endpoint.requests("PutTraceSegments").get(0);
    assertThat(call.headers().entrySet()).anyMatch(h -> h.getKey().equalsIgnoreCase("X-Amz-Security-Token")
        && h.getValue().contains(RecordingAwsEndpoint.SESSION_TOKEN));
  }

  @Test
  void proxyAddressIsUsed() throws Exception {
    // The recording endpoint plays the proxy: the client sends it the request for the (unreachable)
    // X-Ray host, which is signed for that host.
    exporter(config("endpoint", "http://xray.wharf-test.invalid:4000", "proxy_address", endpoint.uri().toString()))
        .consume(traces(1));
    assertThat(endpoint.problems()).isEmpty();
    RecordingAwsEndpoint.Recorded call = endpoint.requests("PutTraceSegments").get(0);
    assertThat(call.headers().entrySet()).anyMatch(h -> h.getKey().equalsIgnoreCase("Host")
        && h.getValue().contains("xray.wharf-test.invalid:4000"));
  }

  @Test
  void noVerifySslTrustsASelfSignedEndpointAndVerificationRejectsIt() throws Exception {
    try (RecordingAwsEndpoint tls = RecordingAwsEndpoint.xrayHttps(REGION)) {
      Exporter<TracesData> verifying = exporter(config("endpoint", tls.uri().toString(),
          "retry_on_failure", Map.of("enabled", false)), tls.env());
      assertThatThrownBy(() -> verifying.consume(traces(1))).isInstanceOf(RefusedException.class);
      assertThat(tls.requests()).isEmpty();

      exporter(config("endpoint", tls.uri().toString(), "no_verify_ssl", true), tls.env()).consume(traces(1));
      assertThat(tls.problems()).isEmpty();
      assertThat(tls.segmentDocuments()).hasSize(1);
    }
  }
}
