package dev.wharf.extension.healthcheck;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wharf.component.Component;
import dev.wharf.component.Host;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * Answers 200 with {@code {"status":"Server available","upSince":...,"uptime":...}} while every
 * pipeline runs and 503 with {@code {"status":"Server not available",...}} otherwise (starting or
 * stopping), as upstream's legacy health_check does. ECS probes it through {@code /healthcheck}.
 */
final class HealthCheckExtension implements Component {
  private static final JsonFactory JSON = new JsonFactory();

  private final HealthCheckConfig config;
  private final Logger log;
  private HttpServer server;
  private ExecutorService executor;

  HealthCheckExtension(HealthCheckConfig config, Logger log) {
    this.config = config;
    this.log = log;
  }

  @Override
  public void start(Host host) throws IOException {
    if (config.checkCollectorPipeline()) {
      log.warning("health_check.check_collector_pipeline is not supported (upstream documents it as not working);"
          + " health reflects whether every pipeline runs");
    }
    try {
      server = HttpServer.create(config.endpoint().bindAddress(), 8);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + config.endpoint() + ": " + e.getMessage(), e);
    }
    server.createContext(config.path(), exchange -> handle(exchange, host));
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "wharf-health-check");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    log.info("Health check on http://" + config.endpoint() + config.path());
  }

  /** The bound address (useful with port 0). */
  InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange exchange, Host host) throws IOException {
    try (exchange) {
      String p = exchange.getRequestURI().getPath();
      if (!p.equals(config.path()) && !(p.equals(config.path() + "/"))) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      Host.ServiceStatus status = host.status();
      boolean ready = status.ready();
      byte[] body;
      String custom = ready ? config.healthyBody() : config.unhealthyBody();
      if (custom != null) {
        body = custom.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      } else {
        body = statusJson(ready, status.readySince());
        exchange.getResponseHeaders().set("Content-Type", "application/json");
      }
      // Keep-alives are off upstream: every probe is its own connection.
      exchange.getResponseHeaders().set("Connection", "close");
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.sendResponseHeaders(ready ? 200 : 503, head ? -1 : body.length);
      if (!head) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(body);
        }
      }
    }
  }

  static byte[] statusJson(boolean ready, Instant since) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      if (ready && since != null) {
        g.writeStringField("status", "Server available");
        g.writeStringField("upSince", since.toString());
        g.writeStringField("uptime", dev.wharf.config.GoDuration.format(
            Duration.between(since, Instant.now())));
      } else {
        g.writeStringField("status", "Server not available");
        g.writeStringField("upSince", "0001-01-01T00:00:00Z");
        g.writeStringField("uptime", "");
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }
}
