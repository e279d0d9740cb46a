package dev.wharf.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.Exporter;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.exporter.otlphttp.OtlpHttpExporterFactory;
import dev.wharf.otlp.TestCertificates;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.receiver.otlp.OtlpReceiver;
import dev.wharf.receiver.otlp.OtlpReceiverFactory;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exporters' tls settings against a TLS otlp receiver: CA file, client certificate, skip-verify. */
class OtlpExportersTlsTest {
  @TempDir
  Path dir;

  @Test
  void tlsAndMutualTls() throws Exception {
    TestCertificates.Pem server = TestCertificates.create(dir, "server");
    TestCertificates.Pem client = TestCertificates.create(dir, "client");
    RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
    OtlpReceiverFactory rf = new OtlpReceiverFactory();
    ConfigProblems problems = new ConfigProblems();
    var rc = rf.parseConfig(ConfigNode.of("receivers.otlp", OtlpExporterTestSupport.yaml("""
        protocols:
          grpc:
            endpoint: 127.0.0.1:0
            tls: {cert_file: %1$s, key_file: %2$s, client_ca_file: %3$s}
          http:
            endpoint: 127.0.0.1:0
            tls: {cert_file: %1$s, key_file: %2$s}
        """.formatted(server.certFile(), server.keyFile(), client.certFile())), problems));
    problems.throwIfAny();
    OtlpReceiver receiver = (OtlpReceiver) rf.createReceiver(TestContexts.context("otlp", ComponentKind.RECEIVER, null),
        rc, new Consumers(traces, null, null));
    receiver.start(new TestHost());
    try {
      int expected = 0;
      // gRPC, mutual TLS
      expected += sendAndCount(new OtlpExporterFactory(), "otlp/mtls", """
          endpoint: 127.0.0.1:%d
          tls: {ca_file: %s, cert_file: %s, key_file: %s}
          """.formatted(receiver.grpcPort(), server.certFile(), client.certFile(), client.keyFile()), traces, expected, true);
      // gRPC without the client certificate: refused at the handshake
      expected += sendAndCount(new OtlpExporterFactory(), "otlp/nocert", """
          endpoint: 127.0.0.1:%d
          tls: {ca_file: %s}
          """.formatted(receiver.grpcPort(), server.certFile()), traces, expected, false);
      // HTTPS with the server's CA
      expected += sendAndCount(new OtlpHttpExporterFactory(), "otlphttp/ca", """
          endpoint: https://localhost:%d
          tls: {ca_file: %s}
          """.formatted(receiver.httpPort(), server.certFile()), traces, expected, true);
      // HTTPS to an untrusted certificate: refused, unless insecure_skip_verify
      expected += sendAndCount(new OtlpHttpExporterFactory(), "otlphttp/untrusted", """
          endpoint: https://127.0.0.1:%d
          """.formatted(receiver.httpPort()), traces, expected, false);
      sendAndCount(new OtlpHttpExporterFactory(), "otlphttp/skip", """
          endpoint: https://127.0.0.1:%d
          tls: {insecure_skip_verify: true}
          """.formatted(receiver.httpPort()), traces, expected, true);
    } finally {
      receiver.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

  /** Sends 2 spans with retries off; returns how many arrived (asserting success or failure as expected). */
  private static <C> int sendAndCount(dev.wharf.component.ExporterFactory<C> factory, String id, String config,
      RecordingConsumer<TracesData> traces, int before, boolean shouldArrive) throws Exception {
    SelfTelemetry telemetry = SelfTelemetry.inMemory();
    Exporter<TracesData> e = OtlpExporterTestSupport.exporter(factory, id,
        config + "retry_on_failure: {enabled: false}\n", Signal.TRACES, telemetry);
    try {
      e.consume(TestData.traces("tls", 2, 5));
      String metric = shouldArrive ? "otelcol_exporter_sent_spans" : "otelcol_exporter_send_failed_spans";
      assertThat(RecordingConsumer.await(() -> TestContexts.metric(telemetry, metric) == 2, Duration.ofSeconds(15)))
          .as(id).isTrue();
      assertThat(traces.itemCount()).as(id).isEqualTo(before + (shouldArrive ? 2 : 0));
      return shouldArrive ? 2 : 0;
    } finally {
      e.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

}
