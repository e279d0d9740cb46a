package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wharf.testing.TestData;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad requests are answered with the protocol's status, never reach the pipeline, are counted, and
 * leave the server serving.
 */
class OtlpReceiverBadInputTest {
  private static final long LIMIT = 1024 * 1024;
  private static final byte[] VALID = TestData.traces("svc", 3, 1).toByteArray();
  private static OtlpTestSupport.Running wharf;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    wharf = new OtlpTestSupport.Running("""
        protocols:
          grpc:
            endpoint: 127.0.0.1:0
          http:
            endpoint: 127.0.0.1:0
            max_request_body_size: %d
        """.formatted(LIMIT));
  }

  @AfterAll
  static void stop() {
    wharf.close();
  }

  static byte[] gzip(byte[] data, int repeat) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      for (int i = 0; i < repeat; i++) {
        gz.write(data);
      }
    }
    return out.toByteArray();
  }

  record Bad(String name, String method, String path, String contentType, String encoding, byte[] body,
      int status, String bodyContains) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Arguments[] badRequests() throws Exception {
    byte[] oneMegZeros = new byte[1024 * 1024];
    return new Arguments[] {
        Arguments.of(new Bad("truncated protobuf", "POST", "/v1/traces", "application/x-protobuf", null,
            Arrays.copyOf(VALID, VALID.length - 7), 400, "invalid OTLP protobuf")),
        Arguments.of(new Bad("wrong content type", "POST", "/v1/traces", "text/plain", null, VALID, 415,
            "415 unsupported media type, supported: [application/json, application/x-protobuf]")),
        Arguments.of(new Bad("no content type", "POST", "/v1/traces", null, null, VALID, 415, "unsupported media type")),
        // 256 MiB of zeros in ~256 KiB of gzip: refused once the first MiB is inflated.
        Arguments.of(new Bad("gzip bomb", "POST", "/v1/traces", "application/x-protobuf", "gzip",
            gzip(oneMegZeros, 256), 413, "max_request_body_size")),
        Arguments.of(new Bad("body over the limit", "POST", "/v1/traces", "application/x-protobuf", null,
            new byte[(int) LIMIT + 1], 413, "max_request_body_size")),
        Arguments.of(new Bad("corrupt gzip", "POST", "/v1/traces", "application/x-protobuf", "gzip",
            "not gzip at all".getBytes(StandardCharsets.UTF_8), 400, "cannot decode gzip body")),
        Arguments.of(new Bad("unsupported encoding", "POST", "/v1/traces", "application/x-protobuf", "br",
            VALID, 400, "unsupported Content-Encoding: \"br\"")),
        Arguments.of(new Bad("invalid JSON", "POST", "/v1/traces", "application/json", null,
            "{\"resourceSpans\":[{".getBytes(StandardCharsets.UTF_8), 400, "malformed JSON")),
        Arguments.of(new Bad("wrong field types", "POST", "/v1/logs", "application/json", null,
            "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":true}]}]}]}".getBytes(StandardCharsets.UTF_8),
            400, "resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano: expected an integer, got true")),
        Arguments.of(new Bad("bad trace id", "POST", "/v1/traces", "application/json; charset=utf-8", null,
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}".getBytes(StandardCharsets.UTF_8),
            400, "traceId: expected 32 hex digits")),
        Arguments.of(new Bad("wrong method", "GET", "/v1/traces", null, null, null, 405,
            "405 method not allowed, supported: [POST]")),
        Arguments.of(new Bad("wrong method PUT", "PUT", "/v1/metrics", "application/x-protobuf", null, VALID, 405,
            "405 method not allowed")),
        Arguments.of(new Bad("unknown path", "POST", "/v1/spans", "application/x-protobuf", null, VALID, 404,
            "404 page not found")),
    };
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String encoding, byte[] body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(wharf.httpBase() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badHttpRequestsGetTheirStatusAndTheServerKeepsServing(Bad bad) throws Exception {
    String code = Integer.toString(bad.status());
    double failedBefore = wharf.metric("wharf_receiver_failed_requests", "transport", "http", "code", code);
    int receivedBefore = wharf.traces.received().size() + wharf.logs.received().size() + wharf.metrics.received().size();

    HttpResponse<String> r = send(bad.method(), bad.path(), bad.contentType(), bad.encoding(), bad.body());

    assertThat(r.statusCode()).as(r.body()).isEqualTo(bad.status());
    assertThat(r.body()).contains(bad.bodyContains());
    if (bad.status() == 400 || bad.status() == 413) {
      // a google.rpc.Status in the request's encoding
      if (bad.contentType().startsWith("application/json")) {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"code\":");
      } else {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
        com.google.rpc.Status st = com.google.rpc.Status.parseFrom(r.body().getBytes(StandardCharsets.ISO_8859_1));
        assertThat(st.getCode()).isEqualTo(bad.status() == 400 ? 3 : 2);
      }
    }
    assertThat(wharf.metric("wharf_receiver_failed_requests", "transport", "http", "code", code))
        .isEqualTo(failedBefore + 1);
    assertThat(wharf.traces.received().size() + wharf.logs.received().size() + wharf.metrics.received().size())
        .as("malformed input never reaches the pipeline").isEqualTo(receivedBefore);

    // still serving
    HttpResponse<String> ok = send("POST", "/v1/traces", "application/x-protobuf", null, VALID);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWhileReading() throws Exception {
    double before = wharf.metric("wharf_receiver_failed_requests", "transport", "http", "code", "413");
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf")
        // no Content-Length: the limit is found while reading
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[(int) LIMIT * 3 / 2])))
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(wharf.metric("wharf_receiver_failed_requests", "transport", "http", "code", "413")).isEqualTo(before + 1);
    assertThat(send("POST", "/v1/traces", "application/x-protobuf", null, VALID).statusCode()).isEqualTo(200);
  }

  @Test
  void gzipAndDeflateBodiesWithinTheLimitAreAccepted() throws Exception {
    int before = wharf.traces.itemCount();
    assertThat(send("POST", "/v1/traces", "application/x-protobuf", "gzip", gzip(VALID, 1)).statusCode()).isEqualTo(200);
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (var out = new java.util.zip.DeflaterOutputStream(z)) {
      out.write(VALID);
    }
    assertThat(send("POST", "/v1/traces", "application/x-protobuf", "deflate", z.toByteArray()).statusCode()).isEqualTo(200);
    assertThat(wharf.traces.itemCount()).isEqualTo(before + 6);
  }

  @Test
  void aTruncatedGrpcMessageIsRefusedAndTheServerKeepsServing() throws Exception {
    io.grpc.MethodDescriptor.Marshaller<byte[]> raw = new io.grpc.MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(byte[] value) {
        return new java.io.ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(java.io.InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    io.grpc.MethodDescriptor<byte[], byte[]> export = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(TraceServiceGrpc.SERVICE_NAME, "Export"))
        .setRequestMarshaller(raw).setResponseMarshaller(raw).build();
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", wharf.receiver.grpcPort()).usePlaintext().build();
    try {
      int before = wharf.traces.itemCount();
      double failed = wharf.metric("wharf_receiver_failed_requests", "transport", "grpc", "code", "INVALID_ARGUMENT");
      assertThatThrownBy(() -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel, export,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), Arrays.copyOf(VALID, VALID.length - 7)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).startsWith("invalid OTLP protobuf:");
          });
      // the server's stream tracer sees the close just after the client does
      assertThat(dev.wharf.testing.RecordingConsumer.await(() -> wharf.metric("wharf_receiver_failed_requests",
          "transport", "grpc", "code", "INVALID_ARGUMENT") == failed + 1, java.time.Duration.ofSeconds(5))).isTrue();
      assertThat(wharf.traces.itemCount()).isEqualTo(before);
      io.grpc.stub.ClientCalls.blockingUnaryCall(channel, export, io.grpc.CallOptions.DEFAULT
          .withDeadlineAfter(10, TimeUnit.SECONDS), VALID);
      assertThat(wharf.traces.itemCount()).isEqualTo(before + 3);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aGrpcMessageOverTheLimitIsRefusedWithResourceExhausted() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", wharf.receiver.grpcPort()).usePlaintext().build();
    try {
      var stub = TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      TracesData big = TracesData.newBuilder(TestData.traces("svc", 1, 2)).build();
      byte[] fiveMib = new byte[5 * 1024 * 1024];
      Arrays.fill(fiveMib, (byte) 'x');
      big = big.toBuilder().setResourceSpans(0, big.getResourceSpans(0).toBuilder().setScopeSpans(0,
          big.getResourceSpans(0).getScopeSpans(0).toBuilder().setSpans(0, big.getResourceSpans(0).getScopeSpans(0)
              .getSpans(0).toBuilder().addAttributes(KeyValue.newBuilder().setKey("blob")
                  .setValue(AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(fiveMib))))))).build();
      ExportTraceServiceRequest tooBig = ExportTraceServiceRequest.parseFrom(big.toByteArray());
      int before = wharf.traces.itemCount();
      assertThatThrownBy(() -> stub.export(tooBig))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
      assertThat(wharf.traces.itemCount()).isEqualTo(before);
      // still serving, on a fresh call over the same channel
      stub.export(ExportTraceServiceRequest.parseFrom(VALID));
      assertThat(wharf.traces.itemCount()).isEqualTo(before + 3);
      assertThat(dev.wharf.testing.RecordingConsumer.await(() -> wharf.metric("wharf_receiver_failed_requests",
          "transport", "grpc", "code", "RESOURCE_EXHAUSTED") == 1, java.time.Duration.ofSeconds(5))).isTrue();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
