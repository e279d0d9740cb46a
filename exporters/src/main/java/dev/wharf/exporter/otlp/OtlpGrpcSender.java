package dev.wharf.exporter.otlp;

import com.google.protobuf.Message;
import com.google.rpc.RetryInfo;
import dev.wharf.component.BuildInfo;
import dev.wharf.component.Component;
import dev.wharf.component.Host;
import dev.wharf.exporterhelper.RequestSender;
import dev.wharf.pipeline.RefusedException;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends one request over OTLP/gRPC. The method is declared with the pipeline's message as request
 * type ({@code TracesData} is wire-identical to {@code ExportTraceServiceRequest}), so nothing is
 * converted. Answers are classified as the OTLP specification says: CANCELLED, DEADLINE_EXCEEDED,
 * ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS are retryable (honouring a RetryInfo delay);
 * RESOURCE_EXHAUSTED only when the server sent RetryInfo; everything else is permanent.
 */
final class OtlpGrpcSender<T extends Message, R extends Message> implements RequestSender<T>, Component {
  private final OtlpExporterConfig config;
  private final MethodDescriptor<T, R> method;
  private final BuildInfo buildInfo;
  private ManagedChannel channel;
  private io.grpc.Channel intercepted;

  OtlpGrpcSender(OtlpExporterConfig config, String serviceName, T requestPrototype, R responsePrototype,
      BuildInfo buildInfo) {
    this.config = config;
    this.buildInfo = buildInfo;
    this.method = MethodDescriptor.<T, R>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(serviceName, "Export"))
        .setRequestMarshaller(ProtoUtils.marshaller(requestPrototype))
        .setResponseMarshaller(ProtoUtils.marshaller(responsePrototype))
        .build();
  }

  @Override
  public void start(Host host) throws Exception {
    ChannelCredentials credentials;
    OtlpClientTls tls = config.tls();
    if (tls.insecure() && !config.schemeHttps()) {
      credentials = InsecureChannelCredentials.create();
    } else {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (tls.keyManagers() != null) {
        b.keyManager(tls.keyManagers());
      }
      if (tls.trustManagers() != null) {
        b.trustManager(tls.trustManagers());
      }
      credentials = b.build();
    }
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(config.target(), credentials)
        .userAgent(buildInfo.userAgent())
        .defaultLoadBalancingPolicy(config.balancerName())
        // Retries are the exporter helper's job (retry_on_failure); no hidden second layer.
        .disableRetry();
    if (tls.serverNameOverride() != null) {
      b.overrideAuthority(tls.serverNameOverride());
    }
    if (config.keepaliveTime() != null) {
      b.keepAliveTime(config.keepaliveTime().toNanos(), TimeUnit.NANOSECONDS);
    }
    if (config.keepaliveTimeout() != null) {
      b.keepAliveTimeout(config.keepaliveTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    b.keepAliveWithoutCalls(config.keepalivePermitWithoutStream());
    channel = b.build();
    Metadata headers = new Metadata();
    config.headers().forEach((k, v) -> headers.put(Metadata.Key.of(k.toLowerCase(java.util.Locale.ROOT),
        Metadata.ASCII_STRING_MARSHALLER), v));
    intercepted = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Override
  public void send(T data, Duration timeout) {
    CallOptions options = CallOptions.DEFAULT;
    if (timeout != null && !timeout.isZero()) {
      options = options.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
    if (config.compression().equals("gzip")) {
      options = options.withCompression("gzip");
    }
    R response;
    try {
      response = ClientCalls.blockingUnaryCall(intercepted, method, options, data);
    } catch (StatusRuntimeException e) {
      throw classify(e);
    }
    PartialSuccess.check(response);
  }

  /** The OTLP/gRPC retry rules (see the class comment). */
  static RefusedException classify(StatusRuntimeException e) {
    Status status = e.getStatus();
    Duration delay = retryDelay(e);
    String message = "rpc error: code = " + status.getCode() + " desc = " + status.getDescription();
    switch (status.getCode()) {
      case CANCELLED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case OUT_OF_RANGE:
      case UNAVAILABLE:
      case DATA_LOSS:
        return new RefusedException(RefusedException.Reason.UNAVAILABLE, message, delay, e);
      case RESOURCE_EXHAUSTED:
        return delay != null
            ? new RefusedException(RefusedException.Reason.RESOURCE_EXHAUSTED, message, delay, e)
            : new RefusedException(RefusedException.Reason.PERMANENT, message, null, e);
      case INVALID_ARGUMENT:
        return new RefusedException(RefusedException.Reason.INVALID_ARGUMENT, message, null, e);
      default:
        return new RefusedException(RefusedException.Reason.PERMANENT, message, null, e);
    }
  }

  private static Duration retryDelay(StatusRuntimeException e) {
    com.google.rpc.Status st = StatusProto.fromThrowable(e);
    if (st == null) {
      return null;
    }
    for (com.google.protobuf.Any any : st.getDetailsList()) {
      if (any.is(RetryInfo.class)) {
        try {
          com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
          return Duration.ofSeconds(d.getSeconds(), d.getNanos());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public void shutdown(long deadlineNanos) {
    ManagedChannel c = channel;
    if (c == null) {
      return;
    }
    c.shutdown();
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0 || !c.awaitTermination(left, TimeUnit.NANOSECONDS)) {
        c.shutdownNow();
      }
    } catch (InterruptedException e) {
      c.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
