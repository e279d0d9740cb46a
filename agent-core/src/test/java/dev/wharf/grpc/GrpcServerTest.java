package dev.wharf.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.rpc.RetryInfo;
import dev.wharf.otlp.TestCertificates;
import dev.wharf.otlp.TlsFiles;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gRPC-level behaviour with real clients: grpc-java over Netty, and the OpenTelemetry SDK's OkHttp exporter. */
class GrpcServerTest {
  static final String TRACES = "opentelemetry.proto.collector.trace.v1.TraceService/Export";
  static final int LIMIT = 64 * 1024;

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
        throw new UncheckedIOException(e);
      }
    }
  };

  private static ExecutorService executor;
  private static GrpcServer server;
  private static ManagedChannel channel;
  private static final ConcurrentLinkedQueue<Integer> completed = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger spans = new AtomicInteger();
  private static final AtomicInteger slowCalls = new AtomicInteger();
  private static volatile CountDownLatch gate = new CountDownLatch(0);

  static MethodDescriptor<byte[], byte[]> method(String fullName) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(fullName).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  static GrpcServer.Builder handlers(GrpcServer.Builder b) {
    return b.unary("test.Echo/Echo", GrpcResponse::ok)
        .unary("test.Echo/Fail", req -> GrpcResponse.error(GrpcStatus.UNAVAILABLE, "busy, 100% — retry",
            com.google.rpc.Status.newBuilder().setCode(GrpcStatus.UNAVAILABLE).setMessage("busy, 100% — retry")
                .addDetails(com.google.protobuf.Any.pack(RetryInfo.newBuilder()
                    .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(3)).build()))
                .build().toByteArray()))
        .unary("test.Echo/Slow", req -> {
          slowCalls.incrementAndGet();
          try {
            gate.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return GrpcResponse.ok(req);
        })
        .unary("test.Echo/Throw", req -> {
          throw new IllegalStateException("boom");
        })
        .unary(TRACES, req -> {
          try {
            TracesData t = TracesData.parseFrom(req);
            for (var rs : t.getResourceSpansList()) {
              for (var ss : rs.getScopeSpansList()) {
                spans.addAndGet(ss.getSpansCount());
              }
            }
            return GrpcResponse.ok(new byte[0]);
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return GrpcResponse.error(GrpcStatus.INVALID_ARGUMENT, e.getMessage(), null);
          }
        });
  }

  @BeforeAll
  static void start() throws Exception {
    executor = Executors.newFixedThreadPool(8);
    server = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
        .maxInboundMessageSize(LIMIT).callCompleted(completed::add).build();
    server.start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    executor.shutdownNow();
  }

  @AfterEach
  void openGate() {
    gate.countDown();
  }

  private static byte[] call(ManagedChannel ch, String method, byte[] request, CallOptions options) {
    return ClientCalls.blockingUnaryCall(ch, method(method), options.withDeadlineAfter(10, TimeUnit.SECONDS), request);
  }

  private static byte[] call(String method, byte[] request) {
    return call(channel, method, request, CallOptions.DEFAULT);
  }

  private static Status statusOf(Runnable r) {
    try {
      r.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
    throw new AssertionError("the call succeeded");
  }

  private static boolean awaitCompleted(int code, int atLeast) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < until) {
      if (completed.stream().filter(c -> c == code).count() >= atLeast) {
        return true;
      }
      Thread.sleep(5);
    }
    return false;
  }

  @Test
  void echoesOverGrpcJava() {
    byte[] req = "hello wharf".getBytes(StandardCharsets.UTF_8);
    assertThat(call("test.Echo/Echo", req)).isEqualTo(req);
    assertThat(call("test.Echo/Echo", new byte[0])).isEmpty();
  }

  @Test
  void anUnknownMethodIsUnimplemented() throws Exception {
    Status s = statusOf(() -> call("test.Echo/Nope", new byte[1]));
    assertThat(s.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(s.getDescription()).isEqualTo("Method not found: test.Echo/Nope");
    assertThat(awaitCompleted(GrpcStatus.UNIMPLEMENTED, 1)).isTrue();
  }

  @Test
  void aMessageOverTheLimitIsResourceExhaustedAndTheChannelGoesOn() throws Exception {
    Status s = statusOf(() -> call("test.Echo/Echo", new byte[LIMIT + 1]));
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription()).isEqualTo("gRPC message exceeds maximum size " + LIMIT + ": " + (LIMIT + 1));
    byte[] atLimit = new byte[LIMIT];
    atLimit[LIMIT - 1] = 7;
    assertThat(call("test.Echo/Echo", atLimit)).isEqualTo(atLimit);
  }

  @Test
  void gzipRequestsAreDecompressedWithinTheLimit() throws Exception {
    byte[] req = "compress me ".repeat(1000).getBytes(StandardCharsets.UTF_8);
    assertThat(call(channel, "test.Echo/Echo", req, CallOptions.DEFAULT.withCompression("gzip"))).isEqualTo(req);
    // compresses far below the limit but inflates beyond it
    Status s = statusOf(() -> call(channel, "test.Echo/Echo", new byte[LIMIT * 4], CallOptions.DEFAULT
        .withCompression("gzip")));
    assertThat(s.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(s.getDescription()).startsWith("Decompressed gRPC message exceeds maximum size " + LIMIT);
  }

  @Test
  void anErrorWithDetailsReachesTheClientIntact() {
    StatusRuntimeException e = (StatusRuntimeException) org.assertj.core.api.Assertions.catchThrowable(
        () -> call("test.Echo/Fail", new byte[0]));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("busy, 100% — retry");
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details).isNotNull();
    assertThat(details.getMessage()).isEqualTo("busy, 100% — retry");
    assertThat(details.getDetails(0).is(RetryInfo.class)).isTrue();
  }

  @Test
  void aThrowingHandlerIsUnknown() {
    assertThat(statusOf(() -> call("test.Echo/Throw", new byte[0])).getCode()).isEqualTo(Status.Code.UNKNOWN);
  }

  @Test
  void anExpiredDeadlineNeverRunsTheHandler() throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
    GrpcServer s = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).executor(one)
        .callCompleted(codes::add).build();
    s.start();
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.port()).usePlaintext().build();
    try {
      gate = new CountDownLatch(1);
      int before = slowCalls.get();
      Future<byte[]> blocker = Executors.newSingleThreadExecutor().submit(() -> call(ch, "test.Echo/Slow", new byte[1],
          CallOptions.DEFAULT));
      while (slowCalls.get() == before) {
        Thread.sleep(5);
      }
      // queued behind the blocker on the single worker; its 100 ms deadline passes before it could run
      Status st = statusOf(() -> ClientCalls.blockingUnaryCall(ch, method("test.Echo/Slow"),
          CallOptions.DEFAULT.withDeadlineAfter(100, TimeUnit.MILLISECONDS), new byte[2]));
      assertThat(st.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      // the client resets the stream at its deadline: the server ends the queued call before a worker is free
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (codes.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(5);
      }
      assertThat(codes).containsExactly(GrpcStatus.CANCELLED);
      gate.countDown();
      assertThat(blocker.get(5, TimeUnit.SECONDS)).hasSize(1);
      Thread.sleep(50);
      assertThat(slowCalls.get()).isEqualTo(before + 1);
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      s.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
      one.shutdownNow();
    }
  }

  @Test
  void aDeadlineAlreadyPastWhenTheCallRunsIsDeadlineExceeded() throws Exception {
    // grpc-timeout of 1 ns: expired by the time a worker picks the call up
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(Http2Connection.HEADERS, Http2Connection.FLAG_END_HEADERS, 1,
          c.requestHeaders("/test.Echo/Echo", "grpc-timeout", "1n"));
      c.frame(Http2Connection.DATA, Http2Connection.FLAG_END_STREAM, 1, RawHttp2Client.grpcMessage(new byte[1]));
      RawHttp2Client.Frame h = c.readUntil(Http2Connection.HEADERS);
      List<String> fields = new ArrayList<>();
      new HpackDecoder(4096, 8192).decode(h.payload(), 0, h.payload().length, fields);
      assertThat(fields).containsSequence("grpc-status", "4");
    }
  }

  @Test
  void manyConcurrentCallsOnOneConnectionAndOnSeveral() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    List<ManagedChannel> channels = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        channels.add(NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build());
      }
      channels.add(channel);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        ManagedChannel ch = channels.get(i % channels.size());
        byte[] req = ("call " + i).repeat(1 + i % 50).getBytes(StandardCharsets.UTF_8);
        results.add(clients.submit(() -> java.util.Arrays.equals(call(ch, "test.Echo/Echo", req, CallOptions.DEFAULT),
            req)));
      }
      for (Future<Boolean> f : results) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      clients.shutdownNow();
      for (ManagedChannel ch : channels) {
        if (ch != channel) {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  @Test
  void theOpenTelemetrySdkExporterSendsSpansPlainAndGzip() throws Exception {
    for (String compression : new String[] {"none", "gzip"}) {
      int before = spans.get();
      OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder()
          .setEndpoint("http://127.0.0.1:" + server.port()).setCompression(compression).build();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
      for (int i = 0; i < 5; i++) {
        provider.get("test").spanBuilder("span-" + i).startSpan().end();
      }
      CompletableResultCode r = provider.forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(spans.get()).as(compression).isEqualTo(before + 5);
    }
  }

  @Test
  void shutdownLetsACallInFlightFinish() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    GrpcServer s = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).executor(pool).build();
    s.start();
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", s.port()).usePlaintext().build();
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      gate = new CountDownLatch(1);
      int before = slowCalls.get();
      Future<byte[]> inFlight = client.submit(() -> call(ch, "test.Echo/Slow", new byte[] {42}, CallOptions.DEFAULT));
      while (slowCalls.get() == before) {
        Thread.sleep(5);
      }
      Thread opener = new Thread(() -> {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        gate.countDown();
      });
      opener.start();
      s.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
      assertThat(inFlight.get(5, TimeUnit.SECONDS)).containsExactly(42);
      assertThat(s.connectionCount()).isZero();
      // no longer accepting
      assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", s.port()).close()).isInstanceOf(IOException.class);
    } finally {
      client.shutdownNow();
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      pool.shutdownNow();
    }
  }

  @Test
  void bindingATakenPortNamesTheAddress() throws Exception {
    GrpcServer s = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", server.port()))
        .executor(executor).build();
    assertThatThrownBy(s::start).isInstanceOf(IOException.class).hasMessageContaining("127.0.0.1:" + server.port());
  }

  @Test
  void connectionsBeyondTheCapAreClosed() throws Exception {
    GrpcServer s = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
        .maxConnections(1).build();
    s.start();
    try (RawHttp2Client first = new RawHttp2Client(s.port()).start()) {
      assertThat(first.read().type()).isEqualTo(Http2Connection.SETTINGS);
      try (RawHttp2Client second = new RawHttp2Client(s.port())) {
        assertThat(second.closedByServer()).isTrue();
      }
    } finally {
      s.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void tlsAndMutualTls(@TempDir Path dir) throws Exception {
    TestCertificates.Pem serverCert = TestCertificates.create(dir, "server");
    TestCertificates.Pem clientCert = TestCertificates.create(dir, "client");
    GrpcServer s = handlers(GrpcServer.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
        .tls(TlsFiles.context(TlsFiles.keyManagers(serverCert.certFile(), serverCert.keyFile()),
            TlsFiles.trustManagers(clientCert.certFile())), true)
        .build();
    s.start();
    try {
      int before = spans.get();
      OtlpGrpcSpanExporter mtls = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + s.port())
          .setTrustedCertificates(serverCert.certBytes())
          .setClientTls(clientCert.keyBytes(), clientCert.certBytes()).build();
      SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(mtls)).build();
      provider.get("tls").spanBuilder("secure").startSpan().end();
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      provider.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(spans.get()).isEqualTo(before + 1);

      // without a client certificate the handshake fails
      OtlpGrpcSpanExporter anonymous = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + s.port())
          .setTrustedCertificates(serverCert.certBytes()).setTimeout(Duration.ofSeconds(5)).build();
      SdkTracerProvider p2 = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(anonymous)).build();
      p2.get("tls").spanBuilder("anonymous").startSpan().end();
      assertThat(p2.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isFalse();
      p2.shutdown().join(10, TimeUnit.SECONDS);
      assertThat(spans.get()).isEqualTo(before + 1);

      // a connection stuck before its handshake does not hold up shutdown
      try (java.net.Socket idle = new java.net.Socket("127.0.0.1", s.port())) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (s.connectionCount() == 0 && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        assertThat(s.connectionCount()).isEqualTo(1);
        s.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        assertThat(s.connectionCount()).isZero();
      }
    } finally {
      s.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }
}
