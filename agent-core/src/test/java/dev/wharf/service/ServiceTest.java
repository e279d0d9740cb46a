package dev.wharf.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.embed.Wharf;
import dev.wharf.extension.healthcheck.HealthCheckFactory;
import dev.wharf.pipeline.Signal;
import dev.wharf.testing.FreePort;
import dev.wharf.testing.TestComponents;
import dev.wharf.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceTest {
  private final TestComponents test = new TestComponents();
  private final HttpClient http = HttpClient.newHttpClient();

  private Wharf start(String yaml) throws Exception {
    return Wharf.builder().config(yaml).components(test.components(new HealthCheckFactory())).start();
  }

  @Test
  void receiversFanInAndExportersFanOutWithOneInstancePerId() throws Exception {
    String yaml = String.join("\n",
        "receivers: {testrcv/a: {}, testrcv/b: {}}",
        "processors: {testproc: {}}",
        "exporters: {testexp/1: {}, testexp/2: {}}",
        "service:",
        "  pipelines:",
        "    traces: {receivers: [testrcv/a, testrcv/b], processors: [testproc], exporters: [testexp/1, testexp/2]}",
        "    traces/second: {receivers: [testrcv/a], processors: [testproc], exporters: [testexp/1]}",
        "    metrics: {receivers: [testrcv/a], exporters: [testexp/2]}");
    try (Wharf w = start(yaml)) {
      assertThat(test.receiverInstances).isEqualTo(2);
      // One processor instance per pipeline, one exporter instance per (id, signal).
      assertThat(test.processorInstances).isEqualTo(2);
      assertThat(test.exporters).containsOnlyKeys("testexp/1/traces", "testexp/2/traces", "testexp/2/metrics");
      assertThat(test.receivers.get("testrcv/b").metrics()).isNull();

      test.sendTraces("testrcv/a", TestData.traces("svc", 3, 1));
      test.sendTraces("testrcv/b", TestData.traces("svc", 2, 2));
      // testrcv/a feeds both traces pipelines; testexp/1 is in both.
      assertThat(test.exported("testexp/1", Signal.TRACES).itemCount()).isEqualTo(3 + 3 + 2);
      assertThat(test.exported("testexp/2", Signal.TRACES).itemCount()).isEqualTo(3 + 2);
      test.receivers.get("testrcv/a").metrics().consume(TestData.metrics("svc", 4));
      assertThat(test.exported("testexp/2", Signal.METRICS).itemCount()).isEqualTo(4);
    }
  }

  @Test
  void startsExportersFirstAndStopsReceiversFirst() throws Exception {
    String yaml = String.join("\n",
        "receivers: {testrcv: {}}",
        "processors: {testproc/1: {}, testproc/2: {}}",
        "exporters: {testexp: {}}",
        "service:",
        "  pipelines:",
        "    logs: {receivers: [testrcv], processors: [testproc/1, testproc/2], exporters: [testexp]}");
    Wharf w = start(yaml);
    w.shutdown();
    assertThat(test.events).containsExactly(
        "start exporter testexp/logs",
        "start processor testproc/1/logs#2",
        "start processor testproc/2/logs#1",
        "start receiver testrcv",
        "stop receiver testrcv",
        "stop processor testproc/1/logs#2",
        "stop processor testproc/2/logs#1",
        "stop exporter testexp/logs");
    assertThat(w.service().state()).isEqualTo(Service.State.STOPPED);
  }

  @Test
  void healthIsOkWhileRunningAndUnavailableDuringTheShutdownDelay() throws Exception {
    int healthPort = FreePort.pick();
    int metricsPort = FreePort.pick();
    String yaml = String.join("\n",
        "extensions: {health_check: {endpoint: 127.0.0.1:" + healthPort + "}}",
        "receivers: {testrcv: {}}",
        "exporters: {testexp: {}}",
        "service:",
        "  extensions: [health_check]",
        "  shutdown: {delay: 1s}",
        "  telemetry: {metrics: {address: 127.0.0.1:" + metricsPort + "}}",
        "  pipelines:",
        "    traces: {receivers: [testrcv], exporters: [testexp]}");
    Wharf w = start(yaml);
    HttpResponse<String> ok = get("http://127.0.0.1:" + healthPort + "/");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).startsWith("{\"status\":\"Server available\",\"upSince\":\"");
    assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");

    HttpResponse<String> metrics = get("http://127.0.0.1:" + metricsPort + "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("otelcol_process_uptime").contains("otelcol_process_memory_rss");

    Thread stopper = new Thread(w::shutdown);
    stopper.start();
    List<Integer> during = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofMillis(700).toNanos();
    while (System.nanoTime() < until) {
      HttpResponse<String> r = get("http://127.0.0.1:" + healthPort + "/");
      during.add(r.statusCode());
      if (r.statusCode() == 503) {
        assertThat(r.body()).isEqualTo("{\"status\":\"Server not available\",\"upSince\":\"0001-01-01T00:00:00Z\",\"uptime\":\"\"}");
        // Receivers still take data during the delay.
        test.sendTraces("testrcv", TestData.traces("svc", 1, 9));
        break;
      }
      Thread.sleep(20);
    }
    stopper.join(10_000);
    assertThat(during).contains(503);
    assertThat(test.exported("testexp", Signal.TRACES).itemCount()).isEqualTo(1);
    assertThat(w.service().state()).isEqualTo(Service.State.STOPPED);
  }

  @Test
  void aComponentThatCannotStartStopsTheOthersAndReportsWhich() throws Exception {
    int port = FreePort.pick();
    try (java.net.ServerSocket taken = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      String yaml = String.join("\n",
          "extensions: {health_check: {endpoint: 127.0.0.1:" + port + "}}",
          "receivers: {testrcv: {}}",
          "exporters: {testexp: {}}",
          "service:",
          "  extensions: [health_check]",
          "  pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}");
      assertThatThrownBy(() -> start(yaml))
          .hasMessageContaining("failed to start extension health_check")
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port);
      assertThat(taken.isBound()).isTrue();
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
