package dev.wharf.telemetry;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.config.Endpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Serves the self-metrics registry in Prometheus text format at {@code /metrics}. */
public final class TelemetryServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private TelemetryServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static TelemetryServer start(Endpoint address, MetricRegistry registry) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(address.bindAddress(), 16);
    } catch (IOException e) {
      throw new IOException("service.telemetry.metrics.address: cannot listen on " + address + ": " + e.getMessage(), e);
    }
    server.createContext("/metrics", exchange -> {
      try (exchange) {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(body);
        }
      }
    });
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.sendResponseHeaders(404, -1);
      }
    });
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "wharf-telemetry-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new TelemetryServer(server, executor);
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
