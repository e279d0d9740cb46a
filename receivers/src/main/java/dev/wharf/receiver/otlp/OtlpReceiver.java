package dev.wharf.receiver.otlp;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry.ReceiverMetrics;
import dev.wharf.telemetry.Counter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The {@code otlp} receiver: OTLP over gRPC and/or HTTP into the pipelines. One instance per
 * receiver id; only signals with a consumer are served (others: gRPC UNIMPLEMENTED, HTTP 404).
 *
 * <p>Self-metrics: {@code otelcol_receiver_accepted_*} / {@code otelcol_receiver_refused_*} per
 * transport ({@code grpc}, {@code http}), and {@code wharf_receiver_failed_requests} (labels
 * receiver, transport, code) for every request answered with an error, including those refused
 * before their items could be counted (malformed, too large, wrong media type, ...).
 */
public final class OtlpReceiver implements Component {
  /** Worker threads per server: enough to overlap parsing with a short consume, bounded. */
  private static final int WORKERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  /** HTTP exchanges waiting for a worker; beyond this, new connections are closed (client retries). */
  private static final int WORKER_QUEUE = 256;

  private final ComponentContext context;
  private final OtlpReceiverConfig config;
  private final Consumers next;
  private final LogLimiter log;
  private OtlpGrpcServer grpc;
  private OtlpHttpServer http;
  private final List<ExecutorService> executors = new ArrayList<>();

  OtlpReceiver(ComponentContext context, OtlpReceiverConfig config, Consumers next) {
    this.context = context;
    this.config = config;
    this.next = next;
    this.log = new LogLimiter(context.logger(), TimeUnit.SECONDS.toNanos(10));
  }

  @Override
  public void start(Host host) throws Exception {
    try {
      if (config.grpc() != null) {
        startGrpc();
      }
      if (config.http() != null) {
        startHttp();
      }
    } catch (Exception e) {
      shutdown(System.nanoTime());
      throw e;
    }
  }

  private void startGrpc() throws java.io.IOException {
    ReceiverMetrics m = context.telemetry().receiver(context.id(), "grpc");
    List<OtlpGrpcServer.Service<?, ?>> services = new ArrayList<>();
    if (next.traces() != null) {
      services.add(new OtlpGrpcServer.Service<>(OtlpGrpcServer.TRACE_SERVICE, TracesData.getDefaultInstance(),
          ExportTraceServiceResponse.getDefaultInstance(), new Ingest<>(Signal.TRACES, next.traces(), m, log)));
    }
    if (next.metrics() != null) {
      services.add(new OtlpGrpcServer.Service<>(OtlpGrpcServer.METRICS_SERVICE, MetricsData.getDefaultInstance(),
          ExportMetricsServiceResponse.getDefaultInstance(), new Ingest<>(Signal.METRICS, next.metrics(), m, log)));
    }
    if (next.logs() != null) {
      services.add(new OtlpGrpcServer.Service<>(OtlpGrpcServer.LOGS_SERVICE, LogsData.getDefaultInstance(),
          ExportLogsServiceResponse.getDefaultInstance(), new Ingest<>(Signal.LOGS, next.logs(), m, log)));
    }
    // Bounded like every buffer: when the workers and the queue are full, the call runs on the reader
    // thread of the connection that received it, which stops reading that connection until it is done, so
    // HTTP/2 flow control pushes back on the clients instead of tasks piling up in memory.
    ThreadPoolExecutor ex = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(WORKER_QUEUE), threads("grpc"), new ThreadPoolExecutor.CallerRunsPolicy());
    executors.add(ex);
    OtlpGrpcServer s = new OtlpGrpcServer(config.grpc(), services, failedRequests("grpc"), ex);
    s.start();
    grpc = s;
    context.logger().info(() -> "Started OTLP/gRPC server on " + config.grpc().endpoint().host() + ":" + s.port());
  }

  private void startHttp() throws java.io.IOException {
    ReceiverMetrics m = context.telemetry().receiver(context.id(), "http");
    OtlpReceiverConfig.Http h = config.http();
    List<OtlpHttpServer.Route<?, ?>> routes = new ArrayList<>();
    if (next.traces() != null) {
      routes.add(new OtlpHttpServer.Route<>(h.tracesUrlPath(), TracesData.getDefaultInstance(),
          ExportTraceServiceResponse.getDefaultInstance(), new Ingest<>(Signal.TRACES, next.traces(), m, log)));
    }
    if (next.metrics() != null) {
      routes.add(new OtlpHttpServer.Route<>(h.metricsUrlPath(), MetricsData.getDefaultInstance(),
          ExportMetricsServiceResponse.getDefaultInstance(), new Ingest<>(Signal.METRICS, next.metrics(), m, log)));
    }
    if (next.logs() != null) {
      routes.add(new OtlpHttpServer.Route<>(h.logsUrlPath(), LogsData.getDefaultInstance(),
          ExportLogsServiceResponse.getDefaultInstance(), new Ingest<>(Signal.LOGS, next.logs(), m, log)));
    }
    ThreadPoolExecutor ex = new ThreadPoolExecutor(WORKERS, WORKERS, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(WORKER_QUEUE), threads("http"), new ThreadPoolExecutor.AbortPolicy());
    executors.add(ex);
    OtlpHttpServer s = new OtlpHttpServer(h, routes, failedRequests("http"), log, ex);
    s.start();
    http = s;
    context.logger().info(() -> "Started OTLP/HTTP server on " + h.endpoint().host() + ":" + s.port());
  }

  private Function<String, Counter> failedRequests(String transport) {
    Map<String, Counter> byCode = new ConcurrentHashMap<>();
    return code -> byCode.computeIfAbsent(code, c -> context.telemetry().counter("wharf_receiver_failed_requests",
        "Requests answered with an error status, by status code.",
        "receiver", context.id().toString(), "transport", transport, "code", c));
  }

  private ThreadFactory threads(String transport) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "wharf-receiver-" + context.id() + "-" + transport + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** The bound gRPC port; -1 when gRPC is not enabled. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.port();
  }

  /** The bound HTTP port; -1 when HTTP is not enabled. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (grpc != null) {
      grpc.shutdown(deadlineNanos);
      grpc = null;
    }
    if (http != null) {
      http.shutdown(deadlineNanos);
      http = null;
    }
    for (ExecutorService e : executors) {
      e.shutdownNow();
    }
    executors.clear();
  }
}
