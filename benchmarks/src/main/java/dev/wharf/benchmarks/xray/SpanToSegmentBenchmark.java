package dev.wharf.benchmarks.xray;

import com.google.protobuf.ByteString;
import dev.wharf.exporter.awsxray.SpanToSegment;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Cost of translating one span into X-Ray segment JSON (the resource is prepared once per batch, as
 * the exporter does). Run with {@code -prof gc} for bytes allocated per span; see benchmarks/README.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpanToSegmentBenchmark {
  private SpanToSegment translator;
  private SpanToSegment.PreparedResource resource;
  private Span plain;
  private Span richHttp;

  static KeyValue s(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue i(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static ByteString hex(String h) {
    return ByteString.copyFrom(HexFormat.of().parseHex(h));
  }

  @Setup
  public void setup() {
    translator = new SpanToSegment(new SpanToSegment.Options(List.of("order.id"), false, List.of(), true, true,
        SpanToSegment.Options.MAX_DOCUMENT_BYTES));
    // What the resourcedetection ECS detector and the Java SDK put on a Fargate task's spans.
    resource = translator.prepare(Resource.newBuilder()
        .addAttributes(s("service.name", "checkout"))
        .addAttributes(s("cloud.provider", "aws"))
        .addAttributes(s("cloud.platform", "aws_ecs"))
        .addAttributes(s("cloud.region", "us-west-2"))
        .addAttributes(s("cloud.account.id", "111122223333"))
        .addAttributes(s("cloud.availability_zone", "us-west-2a"))
        .addAttributes(s("aws.ecs.launchtype", "fargate"))
        .addAttributes(s("aws.ecs.task.arn", "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6"))
        .addAttributes(s("aws.ecs.task.family", "checkout"))
        .addAttributes(s("aws.ecs.cluster.arn", "arn:aws:ecs:us-west-2:111122223333:cluster/default"))
        .addAttributes(s("telemetry.sdk.name", "opentelemetry"))
        .addAttributes(s("telemetry.sdk.language", "java"))
        .addAttributes(s("telemetry.sdk.version", "1.67.0"))
        .build());
    Span.Builder base = Span.newBuilder()
        .setTraceId(hex("5f2aebccb475d14618c51eaa28753d37"))
        .setSpanId(hex("bda182a644eee9b3"))
        .setParentSpanId(hex("defdfd9912dc5a56"))
        .setStartTimeUnixNano(1_700_000_000_123_456_789L)
        .setEndTimeUnixNano(1_700_000_000_223_456_789L);
    plain = base.clone().setName("compute-total").setKind(Span.SpanKind.SPAN_KIND_INTERNAL).build();
    richHttp = base.clone().setName("POST /orders/{id}").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .addAttributes(s("http.request.method", "POST"))
        .addAttributes(s("url.scheme", "https"))
        .addAttributes(s("server.address", "shop.example.com"))
        .addAttributes(i("server.port", 443))
        .addAttributes(s("url.path", "/orders/42"))
        .addAttributes(s("url.query", "expand=items"))
        .addAttributes(s("http.route", "/orders/{id}"))
        .addAttributes(i("http.response.status_code", 201))
        .addAttributes(s("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"))
        .addAttributes(s("client.address", "203.0.113.7"))
        .addAttributes(s("network.peer.address", "10.0.1.15"))
        .addAttributes(s("network.protocol.version", "1.1"))
        .addAttributes(s("order.id", "o-12345"))
        .addAttributes(s("enduser.id", "alice"))
        .addAttributes(s("thread.name", "http-nio-8080-exec-3"))
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_UNSET))
        .build();
  }

  @Benchmark
  public List<SpanToSegment.Document> plainSpan() throws Exception {
    return translator.translate(resource, plain);
  }

  @Benchmark
  public List<SpanToSegment.Document> richHttpSpan() throws Exception {
    return translator.translate(resource, richHttp);
  }
}
