package dev.wharf.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.wharf.grpc.GrpcResponse;
import dev.wharf.grpc.GrpcServer;
import dev.wharf.grpc.GrpcStatus;
import dev.wharf.otlp.TlsFiles;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.telemetry.Counter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * The OTLP/gRPC server, on Wharf's own unary gRPC server ({@link GrpcServer}: HTTP/2 on JDK sockets, no
 * grpc-java or Netty). A request is parsed once, straight into the pipeline's own message ({@code TracesData} is
 * wire-identical to {@code ExportTraceServiceRequest}). Only the services of signals that have a consumer are
 * registered; the others answer UNIMPLEMENTED.
 */
final class OtlpGrpcServer {
  /** gRPC service names of OTLP (opentelemetry-proto's collector services). */
  static final String TRACE_SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService";
  static final String METRICS_SERVICE = "opentelemetry.proto.collector.metrics.v1.MetricsService";
  static final String LOGS_SERVICE = "opentelemetry.proto.collector.logs.v1.LogsService";

  private final OtlpReceiverConfig.Grpc config;
  private final List<Service<?, ?>> services;
  private final Function<String, Counter> failedRequests;
  private final ExecutorService executor;
  private GrpcServer server;

  /** One OTLP service: its gRPC name, the pipeline entry and the (empty) success response. */
  record Service<T extends Message, R extends Message>(String name, T requestPrototype, R response, Ingest<T> ingest) {

    @SuppressWarnings("unchecked")
    GrpcResponse export(byte[] bytes) {
      T request;
      try {
        // TracesData etc. are wire-identical to the Export*ServiceRequest: one parse, no conversion.
        request = (T) requestPrototype.getParserForType().parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        ingest.badRequest("gRPC", "invalid OTLP protobuf: " + e.getMessage());
        return GrpcResponse.error(GrpcStatus.INVALID_ARGUMENT, "invalid OTLP protobuf: " + e.getMessage(), null);
      }
      RefusedException refusal = ingest.deliver(request);
      if (refusal == null) {
        return GrpcResponse.ok(response.toByteArray());
      }
      com.google.rpc.Status status = OtlpErrors.status(refusal);
      return GrpcResponse.error(status.getCode(), status.getMessage(), status.toByteArray());
    }
  }

  OtlpGrpcServer(OtlpReceiverConfig.Grpc config, List<Service<?, ?>> services,
      Function<String, Counter> failedRequests, ExecutorService executor) {
    this.config = config;
    this.services = services;
    this.failedRequests = failedRequests;
    this.executor = executor;
  }

  void start() throws IOException {
    InetSocketAddress address = config.endpoint().bindAddress();
    OtlpReceiverConfig.Keepalive k = config.keepalive();
    GrpcServer.Builder b = GrpcServer.builder()
        .bind(address)
        .executor(executor)
        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxRecvMsgSizeBytes()))
        .maxConcurrentStreams(config.maxConcurrentStreams())
        .socketBuffers(config.readBufferSize(), config.writeBufferSize())
        .keepalive(new GrpcServer.Keepalive(k.time(), k.timeout(), k.maxConnectionIdle(), k.maxConnectionAge(),
            k.maxConnectionAgeGrace(), k.minTime(), k.permitWithoutStream()))
        // Every failed call, including those the transport rejects (message too large, unknown service,
        // cancelled) before the pipeline sees them.
        .callCompleted(code -> {
          if (code != GrpcStatus.OK) {
            failedRequests.apply(GrpcStatus.name(code)).increment();
          }
        });
    OtlpReceiverConfig.Tls tls = config.tls();
    if (tls != null) {
      SSLContext context = TlsFiles.context(TlsFiles.keyManagers(Path.of(tls.certFile()), Path.of(tls.keyFile())),
          tls.clientCaFile() == null ? null : TlsFiles.trustManagers(Path.of(tls.clientCaFile())));
      b.tls(context, tls.clientCaFile() != null);
    }
    for (Service<?, ?> s : services) {
      b.unary(s.name() + "/Export", s::export);
    }
    GrpcServer s = b.build();
    try {
      s.start();
    } catch (IOException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot listen for OTLP/gRPC on " + config.endpoint()
          + " (protocols.grpc.endpoint): " + cause.getMessage(), e);
    }
    server = s;
  }

  /** The bound port (useful when the endpoint says port 0). */
  int port() {
    return server.port();
  }

  void shutdown(long deadlineNanos) {
    GrpcServer s = server;
    if (s != null) {
      s.shutdown(deadlineNanos);
    }
  }
}
