package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.RetryInfo;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.testing.TestData;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pipeline refusals become the gRPC and HTTP answers of spec section 7.2, and are counted. */
class OtlpReceiverRefusalTest {
  private static OtlpTestSupport.Running wharf;
  private static ManagedChannel channel;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    wharf = new OtlpTestSupport.Running(OtlpTestSupport.bothProtocols());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", wharf.receiver.grpcPort()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    wharf.close();
  }

  @AfterEach
  void accept() {
    wharf.logs.refuseWith(null);
  }

  static RefusedException refusal(String reason, long retryAfterMillis) {
    Duration after = retryAfterMillis < 0 ? null : Duration.ofMillis(retryAfterMillis);
    return new RefusedException(RefusedException.Reason.valueOf(reason), "refused for a test", after, null);
  }

  @ParameterizedTest(name = "{0} retryAfter={1}ms -> {2} / {3}")
  @CsvSource({
      "UNAVAILABLE,3000,UNAVAILABLE,503,3",
      "UNAVAILABLE,-1,UNAVAILABLE,503,",
      "RESOURCE_EXHAUSTED,1500,RESOURCE_EXHAUSTED,429,2",
      "INVALID_ARGUMENT,-1,INVALID_ARGUMENT,400,",
      "PERMANENT,-1,INTERNAL,500,"})
  void refusalsMapToProtocolStatus(String reason, long retryAfterMillis, String grpcCode, int httpStatus,
      String retryAfterHeader) throws Exception {
    wharf.logs.refuseWith(refusal(reason, retryAfterMillis));
    double refusedGrpc = wharf.metric("otelcol_receiver_refused_log_records", "transport", "grpc");
    double refusedHttp = wharf.metric("otelcol_receiver_refused_log_records", "transport", "http");

    // gRPC: status code, and RetryInfo when a delay is known
    var stub = LogsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(TestData.logs("svc", 4).toByteArray());
    assertThatThrownBy(() -> stub.export(req)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode().name()).isEqualTo(grpcCode);
      com.google.rpc.Status st = StatusProto.fromThrowable(e);
      assertThat(st).isNotNull();
      assertThat(st.getMessage()).isEqualTo("refused for a test");
      if (retryAfterMillis >= 0) {
        try {
          RetryInfo ri = st.getDetails(0).unpack(RetryInfo.class);
          assertThat(ri.getRetryDelay().getSeconds() * 1000 + ri.getRetryDelay().getNanos() / 1_000_000)
              .isEqualTo(retryAfterMillis);
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          throw new AssertionError(ex);
        }
      } else {
        assertThat(st.getDetailsCount()).isZero();
      }
    });
    assertThat(wharf.metric("otelcol_receiver_refused_log_records", "transport", "grpc")).isEqualTo(refusedGrpc + 4);

    // HTTP: status, Retry-After, google.rpc.Status body in the request's encoding (JSON here)
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/logs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(dev.wharf.otlp.OtlpJson.otlp().write(TestData.logs("svc", 4))))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(httpStatus);
    assertThat(r.headers().firstValue("Retry-After").orElse(null)).isEqualTo(retryAfterHeader);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(r.body()).contains("\"message\":\"refused for a test\"");
    assertThat(wharf.metric("otelcol_receiver_refused_log_records", "transport", "http")).isEqualTo(refusedHttp + 4);
    assertThat(wharf.metric("otelcol_receiver_accepted_log_records", "transport", "http")).isZero();
  }
}
