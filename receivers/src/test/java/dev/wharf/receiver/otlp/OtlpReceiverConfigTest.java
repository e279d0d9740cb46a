package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.component.ComponentKind;
import dev.wharf.component.ReceiverFactory;
import dev.wharf.config.Endpoint;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OtlpReceiverConfigTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void factoryIsFoundThroughServiceLoader() {
    boolean found = false;
    for (ReceiverFactory<?> f : ServiceLoader.load(ReceiverFactory.class)) {
      found |= f.type().equals("otlp") && f instanceof OtlpReceiverFactory;
    }
    assertThat(found).isTrue();
  }

  @Test
  void upstreamDefaults() {
    OtlpReceiverConfig c = OtlpTestSupport.config("protocols:\n  grpc:\n  http:\n");
    assertThat(c.grpc().endpoint()).isEqualTo(new Endpoint("localhost", 4317));
    assertThat(c.grpc().maxRecvMsgSizeBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(c.grpc().tls()).isNull();
    assertThat(c.http().endpoint()).isEqualTo(new Endpoint("localhost", 4318));
    assertThat(c.http().tracesUrlPath()).isEqualTo("/v1/traces");
    assertThat(c.http().metricsUrlPath()).isEqualTo("/v1/metrics");
    assertThat(c.http().logsUrlPath()).isEqualTo("/v1/logs");
    assertThat(c.http().maxRequestBodySize()).isEqualTo(20L * 1024 * 1024);
    assertThat(c.http().cors()).isNull();
    OtlpReceiverConfig onlyHttp = OtlpTestSupport.config("protocols:\n  http:\n    traces_url_path: custom/traces\n");
    assertThat(onlyHttp.grpc()).isNull();
    assertThat(onlyHttp.http().tracesUrlPath()).isEqualTo("/custom/traces");
  }

  @Test
  void adotPresetConfigBinds() {
    OtlpReceiverConfig c = OtlpTestSupport.config("""
        protocols:
          grpc:
            endpoint: 0.0.0.0:4317
            max_recv_msg_size_mib: 16
            keepalive:
              server_parameters:
                max_connection_age: 60s
                time: 30s
              enforcement_policy:
                min_time: 10s
                permit_without_stream: true
          http:
            endpoint: 0.0.0.0:4318
            cors:
              allowed_origins: ["https://*.example.com"]
              allowed_headers: [X-Custom]
              max_age: 7200
        """);
    assertThat(c.grpc().maxRecvMsgSizeMib()).isEqualTo(16);
    assertThat(c.grpc().keepalive().maxConnectionAge()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.grpc().keepalive().minTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.grpc().keepalive().permitWithoutStream()).isTrue();
    assertThat(c.http().cors().maxAge()).isEqualTo(7200);
  }

  /** The shared folder: {@code <repo>/../shared}, found by walking up from the module directory. */
  static java.nio.file.Path shared() {
    java.nio.file.Path p = java.nio.file.Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (java.nio.file.Path d = p; d != null; d = d.getParent()) {
      if (java.nio.file.Files.isDirectory(d.resolve("shared/spec"))) {
        return d.resolve("shared");
      }
      if (java.nio.file.Files.isDirectory(d.resolve("spec")) && d.getFileName().toString().equals("shared")) {
        return d;
      }
    }
    throw new IllegalStateException("no shared/spec folder above " + p);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAdotPresetOtlpReceiverBinds() throws Exception {
    int bound = 0;
    try (var files = java.nio.file.Files.list(shared().resolve("fixtures/adot-configs"))) {
      for (java.nio.file.Path f : files.filter(x -> x.toString().endsWith(".yaml")).sorted().toList()) {
        Object doc = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
            .loadFromString(java.nio.file.Files.readString(f));
        var receivers = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) doc).get("receivers");
        if (receivers == null || !receivers.containsKey("otlp")) {
          continue;
        }
        dev.wharf.config.ConfigProblems problems = new dev.wharf.config.ConfigProblems();
        dev.wharf.config.ConfigNode node = dev.wharf.config.ConfigNode.of("receivers.otlp",
            (java.util.Map<String, Object>) receivers.get("otlp"), problems);
        OtlpReceiverConfig c = new OtlpReceiverFactory().parseConfig(node);
        node.checkUnknownKeys();
        assertThat(problems.list()).as(f.getFileName().toString()).isEmpty();
        assertThat(c.grpc()).as(f.getFileName().toString()).isNotNull();
        assertThat(c.http()).as(f.getFileName().toString()).isNotNull();
        bound++;
      }
    }
    assertThat(bound).isGreaterThanOrEqualTo(5);
  }

  @Test
  void problemsNameTheirPath() {
    assertThat(OtlpTestSupport.problems("protocols: {}\n").list().toString())
        .contains("receivers.otlp.protocols: must specify at least one protocol");
    assertThat(OtlpTestSupport.problems("protocols:\n  grpc:\n    endpont: x:1\n").list().toString())
        .contains("receivers.otlp.protocols.grpc.endpont: unknown key, did you mean 'endpoint'?");
    assertThat(OtlpTestSupport.problems("protocols:\n  http:\n    endpoint: nohost\n").list().toString())
        .contains("receivers.otlp.protocols.http.endpoint: expected host:port");
    assertThat(OtlpTestSupport.problems("protocols:\n  http:\n    compression_algorithms: [gzip, zstd]\n").list().toString())
        .contains("receivers.otlp.protocols.http.compression_algorithms[1]: 'zstd' is not supported by Wharf");
    assertThat(OtlpTestSupport.problems("protocols:\n  grpc:\n    tls:\n      cert_file: a.pem\n").list().toString())
        .contains("receivers.otlp.protocols.grpc.tls.key_file: is required for a TLS server");
    assertThat(OtlpTestSupport.problems("protocols:\n  grpc:\n    max_recv_msg_size_mib: 0\n").list().toString())
        .contains("receivers.otlp.protocols.grpc.max_recv_msg_size_mib: must be within 1..2047");
    assertThat(OtlpTestSupport.problems("protocols:\n  grpc:\n    keepalive:\n      server_parameters:\n        time: soon\n")
        .list().toString()).contains("receivers.otlp.protocols.grpc.keepalive.server_parameters.time:");
  }

  @Test
  void startFailsClearlyWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      for (String protocol : List.of("grpc", "http")) {
        OtlpReceiverConfig c = OtlpTestSupport.config("protocols:\n  " + protocol + ":\n    endpoint: 127.0.0.1:" + port + "\n");
        var receiver = new OtlpReceiverFactory().createReceiver(
            TestContexts.context("otlp/busy", ComponentKind.RECEIVER, null),
            c, new Consumers(new RecordingConsumer<>(Signal.TRACES), null, null));
        assertThatThrownBy(() -> receiver.start(new TestHost()))
            .hasMessageContaining("127.0.0.1:" + port)
            .hasMessageContaining("protocols." + protocol + ".endpoint");
        receiver.shutdown(System.nanoTime());
      }
    }
  }

  @Test
  void onlySignalsWithAConsumerAreServed() throws Exception {
    try (OtlpTestSupport.Running wharf = new OtlpTestSupport.Running(OtlpTestSupport.bothProtocols(), true, false, false)) {
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/metrics"))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(TestData.metrics("s", 1).toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(404);
      HttpResponse<String> traces = http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/traces"))
          .header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(TestData.traces("s", 2, 1).toByteArray())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(traces.statusCode()).isEqualTo(200);
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", wharf.receiver.grpcPort()).usePlaintext().build();
      try {
        assertThatThrownBy(() -> MetricsServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
            .export(ExportMetricsServiceRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertThat(wharf.traces.all()).isEqualTo(TracesData.newBuilder(TestData.traces("s", 2, 1)).build());
    }
  }

  @Test
  void corsPreflightAndSimpleRequests() throws Exception {
    try (OtlpTestSupport.Running wharf = new OtlpTestSupport.Running("""
        protocols:
          http:
            endpoint: 127.0.0.1:0
            cors:
              allowed_origins: ["https://*.example.com", "http://localhost:3000"]
              allowed_headers: [X-Tenant]
              max_age: 600
        """)) {
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/traces"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("Origin", "https://app.example.com").header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "content-type, x-tenant").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(204);
      assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example.com");
      assertThat(ok.headers().firstValue("Access-Control-Allow-Methods")).hasValue("POST");
      assertThat(ok.headers().firstValue("Access-Control-Allow-Headers")).hasValue("content-type, x-tenant");
      assertThat(ok.headers().firstValue("Access-Control-Max-Age")).hasValue("600");

      HttpResponse<String> denied = http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/traces"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
          .header("Origin", "https://evil.com").header("Access-Control-Request-Method", "POST").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(denied.statusCode()).isEqualTo(204);
      assertThat(denied.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(wharf.httpBase() + "/v1/traces"))
          .header("Origin", "http://localhost:3000").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:3000");
    }
  }
}
