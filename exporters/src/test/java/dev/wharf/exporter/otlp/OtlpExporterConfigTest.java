package dev.wharf.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ExporterFactory;
import dev.wharf.exporter.otlphttp.OtlpHttpExporterFactory;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.HashSet;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OtlpExporterConfigTest {

  @Test
  void factoriesAreFoundThroughServiceLoader() {
    Set<String> types = new HashSet<>();
    for (ExporterFactory<?> f : ServiceLoader.load(ExporterFactory.class)) {
      types.add(f.type());
    }
    assertThat(types).contains("otlp", "otlphttp");
  }

  @Test
  void otlpDefaults() {
    OtlpExporterConfig c = OtlpExporterTestSupport.config(new OtlpExporterFactory(), "otlp", "endpoint: collector:4317\n");
    assertThat(c.target()).isEqualTo("collector:4317");
    assertThat(c.compression()).isEqualTo("gzip");
    assertThat(c.tls().insecure()).isFalse();
    assertThat(c.settings().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.settings().queue().queueSize()).isEqualTo(1000);
    assertThat(c.settings().queue().numConsumers()).isEqualTo(10);
    assertThat(c.settings().retry().initialInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.settings().retry().maxElapsedTime()).isEqualTo(Duration.ofMinutes(5));
    OtlpExporterConfig https = OtlpExporterTestSupport.config(new OtlpExporterFactory(), "otlp",
        "endpoint: https://api.example.com:443\ncompression: none\n");
    assertThat(https.schemeHttps()).isTrue();
    assertThat(https.target()).isEqualTo("api.example.com:443");
    assertThat(https.compression()).isEqualTo("none");
  }

  @Test
  void otlphttpDefaultsAndUrls() {
    var f = new OtlpHttpExporterFactory();
    var c = OtlpExporterTestSupport.config(f, "otlphttp", "endpoint: https://otlp.example.com\n");
    assertThat(c.signalUrl(Signal.TRACES)).isEqualTo("https://otlp.example.com/v1/traces");
    assertThat(c.signalUrl(Signal.METRICS)).isEqualTo("https://otlp.example.com/v1/metrics");
    assertThat(c.signalUrl(Signal.LOGS)).isEqualTo("https://otlp.example.com/v1/logs");
    assertThat(c.json()).isFalse();
    assertThat(c.compression()).isEqualTo("gzip");
    assertThat(c.settings().timeout()).isEqualTo(Duration.ofSeconds(30));
    var prefixed = OtlpExporterTestSupport.config(f, "otlphttp", """
        endpoint: http://gw:4318/otlp/
        traces_endpoint: https://xray.us-east-1.amazonaws.com/v1/traces
        encoding: json
        """);
    assertThat(prefixed.signalUrl(Signal.METRICS)).isEqualTo("http://gw:4318/otlp/v1/metrics");
    assertThat(prefixed.signalUrl(Signal.TRACES)).isEqualTo("https://xray.us-east-1.amazonaws.com/v1/traces");
    assertThat(prefixed.json()).isTrue();
  }

  @Test
  void problemsNameTheirPath() {
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp", "compression: gzip\n").toString())
        .contains("exporters.otlp.endpoint: requires a non-empty \"endpoint\"");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp", "endpoint: collector\n").toString())
        .contains("exporters.otlp.endpoint: missing port");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp", "endpoint: c:x\n").toString())
        .contains("exporters.otlp.endpoint: invalid port \"x\"");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp",
        "endpoint: c:1\ncompression: zstd\n").toString())
        .contains("exporters.otlp.compression: 'zstd' is not supported by Wharf");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp",
        "endpoint: c:1\ntls: {cert_file: a.pem}\n").toString())
        .contains("exporters.otlp.tls.key_file: cert_file and key_file must be given together");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp",
        "endpoint: c:1\nsending_queue: {queue_sise: 5}\n").toString())
        .contains("exporters.otlp.sending_queue.queue_sise: unknown key, did you mean 'queue_size'?");
    assertThat(OtlpExporterTestSupport.problems(new OtlpExporterFactory(), "otlp",
        "endpoint: c:1\nheaders: {trace-bin: x, 'bad key': y, Authorization: ok}\n").toString())
        .contains("exporters.otlp.headers.trace-bin: not a valid gRPC metadata key")
        .contains("exporters.otlp.headers.bad key: not a valid gRPC metadata key")
        .doesNotContain("headers.Authorization");
    assertThat(OtlpExporterTestSupport.problems(new OtlpHttpExporterFactory(), "otlphttp", "encoding: proto\n").toString())
        .contains("exporters.otlphttp.endpoint: at least one endpoint must be specified");
    assertThat(OtlpExporterTestSupport.problems(new OtlpHttpExporterFactory(), "otlphttp",
        "endpoint: gw:4318\n").toString())
        .contains("exporters.otlphttp.endpoint: expected an http:// or https:// URL");
    assertThat(OtlpExporterTestSupport.problems(new OtlpHttpExporterFactory(), "otlphttp",
        "endpoint: http://gw:4318\nencoding: protobuf\n").toString())
        .contains("exporters.otlphttp.encoding: expected one of [proto, json]");
  }

  @ParameterizedTest(name = "{0} retryInfo={1} -> {2}")
  @CsvSource({
      "UNAVAILABLE,false,UNAVAILABLE", "CANCELLED,false,UNAVAILABLE", "DEADLINE_EXCEEDED,false,UNAVAILABLE",
      "ABORTED,false,UNAVAILABLE", "OUT_OF_RANGE,false,UNAVAILABLE", "DATA_LOSS,false,UNAVAILABLE",
      "RESOURCE_EXHAUSTED,true,RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED,false,PERMANENT",
      "INVALID_ARGUMENT,false,INVALID_ARGUMENT", "UNAUTHENTICATED,false,PERMANENT", "PERMISSION_DENIED,false,PERMANENT",
      "INTERNAL,false,PERMANENT", "UNIMPLEMENTED,false,PERMANENT", "UNAVAILABLE,true,UNAVAILABLE"})
  void grpcAnswersAreClassifiedAsTheOtlpSpecSays(String code, boolean retryInfo, String reason) {
    com.google.rpc.Status.Builder st = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.valueOf(code).value()).setMessage("m");
    if (retryInfo) {
      st.addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
          .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(2)).build()));
    }
    StatusRuntimeException e = StatusProto.toStatusRuntimeException(st.build());
    RefusedException r = OtlpGrpcSender.classify(e);
    assertThat(r.reason().name()).isEqualTo(reason);
    assertThat(r.retryAfter()).isEqualTo(retryInfo ? java.util.Optional.of(Duration.ofSeconds(2)) : java.util.Optional.empty());
  }
}
