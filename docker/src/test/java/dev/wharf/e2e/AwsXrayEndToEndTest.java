package dev.wharf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.ecs.EcsFixtureCases;
import dev.wharf.embed.Wharf;
import dev.wharf.embed.WharfSdkExporters;
import dev.wharf.testing.EcsMetadataServer;
import dev.wharf.testing.aws.Json;
import dev.wharf.testing.aws.RecordingAwsEndpoint;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Spans made by the real OpenTelemetry Java SDK travel through an embedded Wharf (the {@code inprocess}
 * receiver, the awsxray exporter with its default sending queue) and the real AWS SDK X-Ray client to
 * the recording X-Ray endpoint, which checks signatures, operation, shapes and limits.
 *
 * <p>The application's resource has only its service name: the resourcedetection processor's ECS
 * detector, reading a loopback task metadata endpoint that replays a captured Fargate task, adds the
 * task facts that become {@code origin} and the {@code aws.ecs} block, and the exporter takes its
 * region from the same endpoint. (The OTLP receiver and batch processor variant waits for those.)
 */
class AwsXrayEndToEndTest {
  static final String YAML = """
      receivers:
        inprocess: {}
      processors:
        resourcedetection:
          detectors: [env, ecs]
          timeout: 2s
      exporters:
        awsxray:
          indexed_attributes: [order.id]
          retry_on_failure: {initial_interval: 10ms, max_interval: 50ms}
      service:
        pipelines:
          traces:
            receivers: [inprocess]
            processors: [resourcedetection]
            exporters: [awsxray]
      """;

  /** The application's own resource: the SDK defaults and its service name; ECS facts come from Wharf. */
  static Resource app() {
    return Resource.getDefault().merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"),
        "checkout")));
  }

  /** Documents of the calls the endpoint answered with success (the scripted throttled call is left out). */
  static List<Map<String, Object>> accepted(RecordingAwsEndpoint xray) {
    List<RecordingAwsEndpoint.Recorded> calls = xray.requests("PutTraceSegments");
    List<Map<String, Object>> out = new java.util.ArrayList<>();
    for (int i = 1; i < calls.size(); i++) {
      for (String d : calls.get(i).traceSegmentDocuments()) {
        out.add(Json.object(d));
      }
    }
    return out;
  }

  static Map<String, Object> client(List<Map<String, Object>> docs) {
    return docs.stream().filter(d -> "subsegment".equals(d.get("type"))).findFirst().orElseThrow();
  }

  @Test
  void sdkSpansArriveAsXraySegments() throws Exception {
    EcsFixtureCases.Case fargate = EcsFixtureCases.all().get(3);
    assertThat(fargate.expected()).containsEntry("aws.ecs.launchtype", "fargate");
    // The task runs in us-east-1: with no region configured, the exporter takes it from the task ARN.
    try (EcsMetadataServer ecs = fargate.startServer();
        RecordingAwsEndpoint xray = RecordingAwsEndpoint.xray("us-east-1")) {
      Map<String, String> env = new HashMap<>(xray.env());
      env.remove("AWS_REGION");
      env.putAll(ecs.env());
      // Throttle the first call: the default queue and retry must still deliver everything.
      xray.script(RecordingAwsEndpoint.Answer.throttling(0));
      try (Wharf wharf = Wharf.builder().config(YAML).env(env).start()) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
            .setResource(app())
            .addSpanProcessor(SimpleSpanProcessor.create(WharfSdkExporters.spanExporter(wharf)))
            .build();
        Tracer tracer = provider.get("e2e");
        Span server = tracer.spanBuilder("GET /orders/{id}").setSpanKind(SpanKind.SERVER)
            .setAttribute("http.request.method", "GET").setAttribute("url.scheme", "https")
            .setAttribute("server.address", "shop.example.com").setAttribute("url.path", "/orders/42")
            .setAttribute("http.response.status_code", 200L).setAttribute("client.address", "203.0.113.7")
            .setAttribute("order.id", "o-42").startSpan();
        try (Scope s = server.makeCurrent()) {
          tracer.spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setAttribute("http.request.method", "GET")
              .setAttribute("url.full", "https://inventory.internal/items/7")
              .setAttribute("http.response.status_code", 200L).startSpan().end();
          tracer.spanBuilder("SELECT orders").setSpanKind(SpanKind.CLIENT).setAttribute("db.system", "postgresql")
              .setAttribute("db.name", "orders").setAttribute("db.statement", "SELECT * FROM orders WHERE id = ?")
              .startSpan().end();
          Span failing = tracer.spanBuilder("place order").startSpan();
          failing.recordException(new IllegalStateException("out of stock", new RuntimeException("db down")));
          failing.setStatus(StatusCode.ERROR);
          failing.end();
          tracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT).setAttribute("http.request.method", "POST")
              .setAttribute("url.full", "https://payments.internal/charge")
              .setAttribute("http.response.status_code", 500L).startSpan().end();
        } finally {
          server.end();
        }
        tracer.spanBuilder("GET /limited").setSpanKind(SpanKind.SERVER).setAttribute("http.request.method", "GET")
            .setAttribute("http.response.status_code", 429L).startSpan().end();
        provider.shutdown();

        long deadline = System.nanoTime() + 10_000_000_000L;
        while (accepted(xray).size() < 6 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
      }
      assertThat(xray.problems()).isEmpty();
      List<Map<String, Object>> docs = accepted(xray);
      assertThat(docs).hasSize(6);
      Map<String, Map<String, Object>> byName = new HashMap<>();
      for (Map<String, Object> d : docs) {
        byName.put((String) d.get("name") + (d.containsKey("parent_id") ? "" : "/root"), d);
      }
      // two root segments are named after service.name: the 200 request and the 429 one
      Map<String, Object> root = docs.stream().filter(d -> !d.containsKey("parent_id")
          && Long.valueOf(200).equals(Json.path(d, "http", "response", "status"))).findFirst().orElseThrow();
      assertThat(root.get("origin")).isEqualTo("AWS::ECS::Fargate");
      assertThat(Json.path(root, "aws", "ecs", "launch_type")).isEqualTo("fargate");
      assertThat(Json.path(root, "aws", "ecs", "task_arn")).isEqualTo(fargate.expected().get("aws.ecs.task.arn"));
      assertThat(Json.path(root, "aws", "ecs", "task_family")).isEqualTo("prom-ecs-exporter-sandbox-main-fargate");
      assertThat(Json.path(root, "aws", "ecs", "cluster_arn")).isEqualTo(fargate.expected().get("aws.ecs.cluster.arn"));
      assertThat(Json.path(root, "aws", "ecs", "availability_zone")).isEqualTo("us-east-1a");
      assertThat(Json.path(root, "aws", "account_id")).isEqualTo("829490980523");
      assertThat(Json.path(root, "aws", "cloudwatch_logs", "0", "log_group"))
          .isEqualTo(((List<?>) fargate.expected().get("aws.log.group.names")).get(0));
      assertThat(Json.path(root, "aws", "cloudwatch_logs", "0", "arn"))
          .isEqualTo(((List<?>) fargate.expected().get("aws.log.group.arns")).get(0));
      assertThat(Json.path(root, "metadata", "default", "otel.resource.aws.ecs.task.id"))
          .isEqualTo("bae32def0ab64f06818e8862e58f8d6d");
      assertThat(Json.path(client(docs), "origin")).isEqualTo("AWS::ECS::Fargate");
      assertThat(Json.path(root, "aws", "xray", "sdk")).isEqualTo("opentelemetry for java");
      assertThat(Json.path(root, "http", "request", "url")).isEqualTo("https://shop.example.com/orders/42");
      assertThat(Json.path(root, "http", "request", "client_ip")).isEqualTo("203.0.113.7");
      assertThat(Json.path(root, "annotations", "order.id")).isEqualTo("o-42");
      String rootId = (String) root.get("id");

      Map<String, Object> client = byName.get("GET");
      assertThat(client.get("type")).isEqualTo("subsegment");
      assertThat(client.get("namespace")).isEqualTo("remote");
      assertThat(client.get("parent_id")).isEqualTo(rootId);
      assertThat(client.get("trace_id")).isEqualTo(root.get("trace_id"));
      assertThat(Json.path(client, "http", "request", "url")).isEqualTo("https://inventory.internal/items/7");

      Map<String, Object> db = byName.get("orders");
      assertThat(Json.path(db, "sql", "database_type")).isEqualTo("postgresql");
      assertThat(Json.path(db, "sql", "sanitized_query")).isEqualTo("SELECT * FROM orders WHERE id = ?");

      Map<String, Object> failing = byName.get("place order");
      assertThat(failing.get("fault")).isEqualTo(true);
      assertThat(Json.path(failing, "cause", "exceptions", "0", "type")).isEqualTo("java.lang.IllegalStateException");
      assertThat(Json.path(failing, "cause", "exceptions", "0", "message")).isEqualTo("out of stock");
      assertThat(Json.path(failing, "cause", "exceptions", "0", "stack", "0", "label"))
          .asString().contains("sdkSpansArriveAsXraySegments");
      assertThat(Json.path(failing, "cause", "exceptions", "1", "type")).isEqualTo("java.lang.RuntimeException");

      Map<String, Object> payment = byName.get("POST");
      assertThat(payment.get("fault")).isEqualTo(true);
      assertThat(payment.get("error")).isEqualTo(false);

      Map<String, Object> throttled = docs.stream().filter(d -> Boolean.TRUE.equals(d.get("throttle")))
          .findFirst().orElseThrow();
      assertThat(throttled.get("error")).isEqualTo(true);
      assertThat(throttled.get("name")).isEqualTo("checkout");
      // the first call was throttled and retried
      assertThat(xray.requests("PutTraceSegments").size()).isGreaterThanOrEqualTo(2);
    }
  }
}
