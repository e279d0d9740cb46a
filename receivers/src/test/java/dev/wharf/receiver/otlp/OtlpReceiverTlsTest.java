package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.SdkRecorders;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.otlp.TestCertificates;
import dev.wharf.otlp.TlsFiles;
import dev.wharf.testing.TestData;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS on both protocols, with the SDK's exporters and the JDK's HTTP client as peers. */
class OtlpReceiverTlsTest {
  @TempDir
  Path dir;

  @Test
  void sdkExportersSpeakTlsAndMutualTlsToTheReceiver() throws Exception {
    TestCertificates.Pem server = TestCertificates.create(dir, "server");
    TestCertificates.Pem client = TestCertificates.create(dir, "client");
    try (OtlpTestSupport.Running wharf = new OtlpTestSupport.Running("""
        protocols:
          grpc:
            endpoint: 127.0.0.1:0
            tls:
              cert_file: %1$s
              key_file: %2$s
              client_ca_file: %3$s
          http:
            endpoint: 127.0.0.1:0
            tls:
              cert_file: %1$s
              key_file: %2$s
        """.formatted(server.certFile(), server.keyFile(), client.certFile()))) {
      SpanExporter grpc = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + wharf.receiver.grpcPort())
          .setTrustedCertificates(server.certBytes()).setClientTls(client.keyBytes(), client.certBytes()).build();
      SpanExporter http = OtlpHttpSpanExporter.builder()
          .setEndpoint("https://localhost:" + wharf.receiver.httpPort() + "/v1/traces")
          .setTrustedCertificates(server.certBytes()).build();
      SdkRecorders.Spans recorded = new SdkRecorders.Spans();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(SpanExporter.composite(grpc, http, recorded))).build();
      provider.get("tls").spanBuilder("secure").startSpan().end();
      provider.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(wharf.traces.awaitItems(2, Duration.ofSeconds(10))).isTrue();
      assertThat(wharf.metric("otelcol_receiver_accepted_spans", "transport", "grpc")).isEqualTo(1);
      assertThat(wharf.metric("otelcol_receiver_accepted_spans", "transport", "http")).isEqualTo(1);

      // without a client certificate the gRPC server refuses the handshake
      SpanExporter anonymous = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + wharf.receiver.grpcPort())
          .setTrustedCertificates(server.certBytes()).setTimeout(Duration.ofSeconds(5)).build();
      var result = anonymous.export(recorded.spans).join(10, TimeUnit.SECONDS);
      anonymous.shutdown();
      assertThat(result.isDone()).isTrue();
      assertThat(result.isSuccess()).isFalse();
      assertThat(wharf.traces.itemCount()).isEqualTo(2);

      // plaintext HTTP to the TLS port fails; HTTPS with the right CA works
      HttpClient plain = HttpClient.newHttpClient();
      byte[] body = TestData.traces("s", 1, 1).toByteArray();
      assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + wharf.receiver.httpPort()
          + "/v1/traces")).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(java.io.IOException.class);
      HttpClient tls = HttpClient.newBuilder()
          .sslContext(TlsFiles.context(null, TlsFiles.trustManagers(server.certFile()))).build();
      HttpResponse<String> ok = tls.send(HttpRequest.newBuilder(URI.create("https://localhost:" + wharf.receiver.httpPort()
          + "/v1/traces")).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(wharf.traces.itemCount()).isEqualTo(3);
    }
  }
}
