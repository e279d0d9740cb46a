package dev.wharf.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.wharf.otlp.TlsFiles;
import dev.wharf.pipeline.RefusedException;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCalls;
import dev.wharf.telemetry.Counter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The OTLP/gRPC server. A request is parsed once, straight into the pipeline's own message
 * ({@code TracesData} is wire-identical to {@code ExportTraceServiceRequest}). Only the services of signals
 * that have a consumer are registered; the others answer UNIMPLEMENTED.
 */
final class OtlpGrpcServer {
  private final OtlpReceiverConfig.Grpc config;
  private final List<Service<?, ?>> services;
  private final Function<String, Counter> failedRequests;
  private final ExecutorService executor;
  private Server server;

  /**
   * Request bytes as they came off the wire (already decompressed and size-checked by gRPC); the
   * handler parses them once, straight into the pipeline's message, so that an undecodable request
   * is answered INVALID_ARGUMENT with the reason instead of gRPC's generic UNKNOWN.
   */
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read request: " + e.getMessage()).withCause(e).asRuntimeException();
      }
    }
  };

  /** One OTLP service: its gRPC name, the pipeline entry and the (empty) success response. */
  record Service<T extends Message, R extends Message>(String name, T requestPrototype, R response, Ingest<T> ingest) {
    MethodDescriptor<byte[], R> method() {
      return MethodDescriptor.<byte[], R>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(name, "Export"))
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(ProtoUtils.marshaller(response))
          .build();
    }

    @SuppressWarnings("unchecked")
    ServerServiceDefinition definition() {
      return ServerServiceDefinition.builder(name)
          .addMethod(method(), ServerCalls.asyncUnaryCall((bytes, observer) -> {
            T request;
            try {
              // TracesData etc. are wire-identical to the Export*ServiceRequest: one parse, no conversion.
              request = (T) requestPrototype.getParserForType().parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
              ingest.badRequest("gRPC", "invalid OTLP protobuf: " + e.getMessage());
              observer.onError(Status.INVALID_ARGUMENT.withDescription("invalid OTLP protobuf: " + e.getMessage())
                  .asRuntimeException());
              return;
            }
            RefusedException refusal = ingest.deliver(request);
            if (refusal == null) {
              observer.onNext(response);
              observer.onCompleted();
            } else {
              observer.onError(StatusProto.toStatusRuntimeException(OtlpErrors.status(refusal)));
            }
          }))
          .build();
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
    ServerCredentials credentials = InsecureServerCredentials.create();
    OtlpReceiverConfig.Tls tls = config.tls();
    if (tls != null) {
      TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
          .keyManager(TlsFiles.keyManagers(Path.of(tls.certFile()), Path.of(tls.keyFile())));
      if (tls.clientCaFile() != null) {
        b.trustManager(TlsFiles.trustManagers(Path.of(tls.clientCaFile())))
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      credentials = b.build();
    }
    InetSocketAddress address = config.endpoint().bindAddress();
    NettyServerBuilder b = NettyServerBuilder.forAddress(address, credentials)
        .executor(executor)
        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxRecvMsgSizeBytes()))
        .addStreamTracerFactory(new ServerStreamTracer.Factory() {
          @Override
          public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
            return new ServerStreamTracer() {
              @Override
              public void streamClosed(Status status) {
                // Every failed call, including those gRPC itself rejects (message too large,
                // undecodable protobuf, unknown service) before the pipeline sees them.
                if (!status.isOk()) {
                  failedRequests.apply(status.getCode().name()).increment();
                }
              }
            };
          }
        });
    if (config.maxConcurrentStreams() > 0) {
      b.maxConcurrentCallsPerConnection(config.maxConcurrentStreams());
    }
    OtlpReceiverConfig.Keepalive k = config.keepalive();
    setIf(k.time(), d -> b.keepAliveTime(d.toNanos(), TimeUnit.NANOSECONDS));
    setIf(k.timeout(), d -> b.keepAliveTimeout(d.toNanos(), TimeUnit.NANOSECONDS));
    setIf(k.maxConnectionIdle(), d -> b.maxConnectionIdle(d.toNanos(), TimeUnit.NANOSECONDS));
    setIf(k.maxConnectionAge(), d -> b.maxConnectionAge(d.toNanos(), TimeUnit.NANOSECONDS));
    setIf(k.maxConnectionAgeGrace(), d -> b.maxConnectionAgeGrace(d.toNanos(), TimeUnit.NANOSECONDS));
    setIf(k.minTime(), d -> b.permitKeepAliveTime(d.toNanos(), TimeUnit.NANOSECONDS));
    b.permitKeepAliveWithoutCalls(k.permitWithoutStream());
    for (Service<?, ?> s : services) {
      b.addService(s.definition());
    }
    Server s = b.build();
    try {
      s.start();
    } catch (IOException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException("cannot listen for OTLP/gRPC on " + config.endpoint()
          + " (protocols.grpc.endpoint): " + cause.getMessage(), e);
    }
    server = s;
  }

  private static void setIf(Duration d, java.util.function.Consumer<Duration> setter) {
    if (d != null) {
      setter.accept(d);
    }
  }

  /** The bound port (useful when the endpoint says port 0). */
  int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  void shutdown(long deadlineNanos) {
    Server s = server;
    if (s == null) {
      return;
    }
    s.shutdown();
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !s.awaitTermination(left, TimeUnit.NANOSECONDS)) {
        s.shutdownNow();
        s.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      s.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
