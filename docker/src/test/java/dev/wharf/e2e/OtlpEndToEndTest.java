package dev.wharf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.embed.Wharf;
import dev.wharf.otlp.OtlpJson;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.receiver.otlp.OtlpReceiver;
import dev.wharf.receiver.otlp.OtlpReceiverFactory;
import dev.wharf.testing.FreePort;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Two Wharf services from YAML, chained: clients send OTLP/gRPC and OTLP/HTTP (JSON) to Wharf A,
 * whose {@code otlp} and {@code otlphttp} exporters both send to Wharf B, which forwards with
 * {@code otlp} to a recording OTLP server. Everything arrives twice (once per path), intact.
 */
class OtlpEndToEndTest {

  @SuppressWarnings("unchecked")
  private static OtlpReceiver sink(RecordingConsumer<TracesData> traces, RecordingConsumer<MetricsData> metrics,
      RecordingConsumer<LogsData> logs) throws Exception {
    OtlpReceiverFactory f = new OtlpReceiverFactory();
    ConfigProblems problems = new ConfigProblems();
    Map<String, Object> yaml = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadFromString("protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n");
    var config = f.parseConfig(ConfigNode.of("receivers.otlp", yaml, problems));
    problems.throwIfAny();
    OtlpReceiver r = (OtlpReceiver) f.createReceiver(TestContexts.context("otlp/sink", ComponentKind.RECEIVER, null),
        config, new Consumers(traces, metrics, logs));
    r.start(new TestHost());
    return r;
  }

  @Test
  void telemetryCrossesTwoWharfsOverBothTransports() throws Exception {
    RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
    RecordingConsumer<MetricsData> metrics = new RecordingConsumer<>(Signal.METRICS);
    RecordingConsumer<LogsData> logs = new RecordingConsumer<>(Signal.LOGS);
    OtlpReceiver sink = sink(traces, metrics, logs);
    int bGrpc = FreePort.pick();
    int bHttp = FreePort.pick();
    int aGrpc = FreePort.pick();
    int aHttp = FreePort.pick();
    String wharfB = """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
        exporters:
          otlp:
            endpoint: 127.0.0.1:%d
            tls:
              insecure: true
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [otlp]
            metrics:
              receivers: [otlp]
              exporters: [otlp]
            logs:
              receivers: [otlp]
              exporters: [otlp]
        """.formatted(bGrpc, bHttp, sink.grpcPort());
    String wharfA = """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:%d
              http:
                endpoint: 127.0.0.1:%d
        exporters:
          otlp/b:
            endpoint: 127.0.0.1:%d
            tls:
              insecure: true
          otlphttp/b:
            endpoint: http://127.0.0.1:%d
            encoding: json
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [otlp/b, otlphttp/b]
            metrics:
              receivers: [otlp]
              exporters: [otlp/b, otlphttp/b]
            logs:
              receivers: [otlp]
              exporters: [otlp/b, otlphttp/b]
        """.formatted(aGrpc, aHttp, bGrpc, bHttp);
    try (Wharf b = Wharf.builder().config(wharfB).start(); Wharf a = Wharf.builder().config(wharfA).start()) {
      TracesData spans = TestData.traces("e2e", 5, 77);
      LogsData records = TestData.logs("e2e", 3);
      MetricsData points = TestData.metrics("e2e", 4);

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", aGrpc).usePlaintext().build();
      try {
        TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .export(ExportTraceServiceRequest.parseFrom(spans.toByteArray()));
        LogsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
            .export(ExportLogsServiceRequest.parseFrom(records.toByteArray()));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + aHttp + "/v1/metrics")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpJson.otlp().write(points))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);

      // each item once through otlp/b and once through otlphttp/b
      assertThat(traces.awaitItems(10, Duration.ofSeconds(20))).isTrue();
      assertThat(logs.awaitItems(6, Duration.ofSeconds(20))).isTrue();
      assertThat(metrics.awaitItems(8, Duration.ofSeconds(20))).isTrue();
      assertThat(traces.received()).containsOnly(spans).hasSize(2);
      assertThat(logs.received()).containsOnly(records).hasSize(2);
      assertThat(metrics.received()).containsOnly(points).hasSize(2);

      assertThat(a.telemetry().registry().value("otelcol_receiver_accepted_spans", "transport", "grpc"))
          .isEqualTo(5);
      assertThat(RecordingConsumer.await(() -> b.telemetry().registry()
          .value("otelcol_receiver_accepted_spans", "transport", "http") == 5, Duration.ofSeconds(5))).isTrue();
      assertThat(RecordingConsumer.await(() -> sent(a, "otlphttp/b", "otelcol_exporter_sent_metric_points") == 4,
          Duration.ofSeconds(5))).isTrue();
    } finally {
      sink.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

  private static double sent(Wharf w, String exporter, String metric) {
    return w.telemetry().registry().value(metric, "exporter", exporter);
  }
}
