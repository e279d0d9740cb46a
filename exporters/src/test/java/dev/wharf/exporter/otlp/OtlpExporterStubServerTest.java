package dev.wharf.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.rpc.RetryInfo;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.component.Exporter;
import dev.wharf.exporter.otlphttp.OtlpHttpExporterFactory;
import dev.wharf.otlp.OtlpJson;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Small scripted OTLP servers answer what the otlp receiver never does (partial success, throttling
 * with RetryInfo / Retry-After) and record the headers and encodings the exporters send.
 */
class OtlpExporterStubServerTest {
  private static final ExportTraceServiceResponse PARTIAL = ExportTraceServiceResponse.newBuilder()
      .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(2).setErrorMessage("2 spans too old"))
      .build();

  @Test
  void grpcPartialSuccessThrottlingAndHeaders() throws Exception {
    List<ExportTraceServiceRequest> got = new CopyOnWriteArrayList<>();
    Map<String, String> headers = new ConcurrentHashMap<>();
    AtomicInteger calls = new AtomicInteger();
    TraceServiceGrpc.TraceServiceImplBase service = new TraceServiceGrpc.TraceServiceImplBase() {
      @Override
      public void export(ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> observer) {
        if (calls.incrementAndGet() == 1) {
          // throttled: RESOURCE_EXHAUSTED with RetryInfo is retryable
          observer.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
              .setCode(Status.Code.RESOURCE_EXHAUSTED.value()).setMessage("slow down")
              .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
                  com.google.protobuf.Duration.newBuilder().setNanos(50_000_000)).build())).build()));
          return;
        }
        got.add(request);
        observer.onNext(PARTIAL);
        observer.onCompleted();
      }
    };
    ServerInterceptor recordHeaders = new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata md, ServerCallHandler<Q, A> next) {
        headers.put("x-tenant", String.valueOf(md.get(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER))));
        headers.put("grpc-encoding", String.valueOf(md.get(Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER))));
        headers.put("user-agent", String.valueOf(md.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER))));
        return next.startCall(call, md);
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(service, recordHeaders)).build().start();
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    Exporter<TracesData> exporter = OtlpExporterTestSupport.exporter(new OtlpExporterFactory(), "otlp/stub", """
        endpoint: 127.0.0.1:%d
        tls: {insecure: true}
        headers: {X-Tenant: acme}
        retry_on_failure: {initial_interval: 10ms, max_interval: 20ms}
        """.formatted(server.getPort()), Signal.TRACES, telemetry);
    try {
      TracesData data = TestData.traces("svc", 5, 3);
      exporter.consume(data);
      assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "otelcol_exporter_send_failed_spans") == 2,
          Duration.ofSeconds(10))).isTrue();
      assertThat(TestContexts.metric(telemetry, "otelcol_exporter_sent_spans")).isEqualTo(3);
      assertThat(calls.get()).isEqualTo(2);
      assertThat(got).hasSize(1);
      assertThat(got.get(0).getResourceSpansList()).isEqualTo(data.getResourceSpansList());
      assertThat(headers).containsEntry("x-tenant", "acme").containsEntry("grpc-encoding", "gzip");
      assertThat(headers.get("user-agent")).startsWith("wharf/");
    } finally {
      exporter.shutdown(System.nanoTime() + 2_000_000_000L);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void httpPartialSuccessRetryAfterHeadersAndEncodings() throws Exception {
    for (String encoding : List.of("proto", "json")) {
      List<TracesData> got = new CopyOnWriteArrayList<>();
      Map<String, String> headers = new ConcurrentHashMap<>();
      AtomicInteger calls = new AtomicInteger();
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/prefix/v1/traces", ex -> {
        try (ex) {
          byte[] raw = ex.getRequestBody().readAllBytes();
          headers.put("content-type", ex.getRequestHeaders().getFirst("Content-Type"));
          headers.put("content-encoding", String.valueOf(ex.getRequestHeaders().getFirst("Content-Encoding")));
          headers.put("x-tenant", String.valueOf(ex.getRequestHeaders().getFirst("X-Tenant")));
          if (calls.incrementAndGet() == 1) {
            ex.getResponseHeaders().set("Retry-After", "0");
            byte[] b = "{\"code\":8,\"message\":\"slow down\"}".getBytes();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(429, b.length);
            ex.getResponseBody().write(b);
            return;
          }
          InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw));
          byte[] body = in.readAllBytes();
          boolean json = headers.get("content-type").equals("application/json");
          got.add(json ? OtlpJson.otlp().parse(body, TracesData.getDefaultInstance()) : TracesData.parseFrom(body));
          byte[] resp = json ? OtlpJson.otlp().write(PARTIAL) : PARTIAL.toByteArray();
          ex.getResponseHeaders().set("Content-Type", json ? "application/json" : "application/x-protobuf");
          ex.sendResponseHeaders(200, resp.length);
          ex.getResponseBody().write(resp);
        }
      });
      server.start();
      SelfTelemetry telemetry = SelfTelemetry.inMemory();
      Exporter<TracesData> exporter = OtlpExporterTestSupport.exporter(new OtlpHttpExporterFactory(), "otlphttp/stub", """
          endpoint: http://127.0.0.1:%d/prefix
          encoding: %s
          headers: {X-Tenant: acme}
          retry_on_failure: {initial_interval: 10ms, max_interval: 20ms}
          """.formatted(server.getAddress().getPort(), encoding), Signal.TRACES, telemetry);
      try {
        TracesData data = TestData.traces("svc", 5, 4);
        exporter.consume(data);
        assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, "otelcol_exporter_send_failed_spans") == 2,
            Duration.ofSeconds(10))).as(encoding).isTrue();
        assertThat(TestContexts.metric(telemetry, "otelcol_exporter_sent_spans")).isEqualTo(3);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(got).containsExactly(data);
        assertThat(headers).containsEntry("content-encoding", "gzip").containsEntry("x-tenant", "acme")
            .containsEntry("content-type", encoding.equals("json") ? "application/json" : "application/x-protobuf");
      } finally {
        exporter.shutdown(System.nanoTime() + 2_000_000_000L);
        server.stop(0);
      }
    }
  }
}
