package dev.wharf.benchmarks.load;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end load: sends OTLP/gRPC trace requests to a running collector at a fixed span rate for a
 * bounded time, receives what the collector exports on a loopback OTLP/gRPC sink, and samples the
 * collector's RSS and CPU from /proc. Loopback only; bounded in rate, count and time.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.wharf.benchmarks.load.LoadGenerator \
 *   --target 127.0.0.1:4317 --sink-port 14317 --rate 1000 --batch 50 --seconds 60 --pid 12345
 * </pre>
 */
public final class LoadGenerator {
  private LoadGenerator() {}

  record Options(String target, int sinkPort, int rate, int batch, int seconds, long pid, int warmupSeconds) {
    static Options parse(String[] args) {
      String target = "127.0.0.1:4317";
      int sinkPort = 0;
      int rate = 1000;
      int batch = 50;
      int seconds = 30;
      long pid = -1;
      int warmup = 5;
      for (int i = 0; i + 1 < args.length; i += 2) {
        String v = args[i + 1];
        switch (args[i]) {
          case "--target" -> target = v;
          case "--sink-port" -> sinkPort = Integer.parseInt(v);
          case "--rate" -> rate = Integer.parseInt(v);
          case "--batch" -> batch = Integer.parseInt(v);
          case "--seconds" -> seconds = Integer.parseInt(v);
          case "--pid" -> pid = Long.parseLong(v);
          case "--warmup" -> warmup = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (rate <= 0 || rate > 200_000 || seconds <= 0 || seconds > 3600 || batch <= 0 || batch > 10_000) {
        throw new IllegalArgumentException("rate 1..200000 spans/s, seconds 1..3600, batch 1..10000");
      }
      if (!target.startsWith("127.") && !target.startsWith("localhost")) {
        throw new IllegalArgumentException("the target must be a loopback address");
      }
      return new Options(target, sinkPort, rate, batch, seconds, pid, warmup);
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    AtomicLong sinkSpans = new AtomicLong();
    Server sink = null;
    if (o.sinkPort() > 0) {
      sink = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", o.sinkPort()))
          .addService(new TraceServiceGrpc.TraceServiceImplBase() {
            @Override
            public void export(ExportTraceServiceRequest request,
                StreamObserver<ExportTraceServiceResponse> response) {
              long n = 0;
              for (ResourceSpans rs : request.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                  n += ss.getSpansCount();
                }
              }
              sinkSpans.addAndGet(n);
              response.onNext(ExportTraceServiceResponse.getDefaultInstance());
              response.onCompleted();
            }
          }).build().start();
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget(o.target()).usePlaintext().build();
    TraceServiceGrpc.TraceServiceBlockingStub stub = TraceServiceGrpc.newBlockingStub(channel);
    ExportTraceServiceRequest request = request(o.batch());

    long requestsPerSecond = Math.max(1, o.rate() / o.batch());
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / requestsPerSecond;
    long sent = 0;
    long refused = 0;
    double rssSum = 0;
    double rssMax = 0;
    int rssSamples = 0;
    long cpuStart = 0;
    long start = System.nanoTime();
    long measureStart = start + TimeUnit.SECONDS.toNanos(o.warmupSeconds());
    long end = measureStart + TimeUnit.SECONDS.toNanos(o.seconds());
    boolean measuring = false;
    long next = start;
    long nextSample = measureStart;
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      if (!measuring && now >= measureStart) {
        // Warm-up is over: count from here.
        measuring = true;
        sent = 0;
        refused = 0;
        cpuStart = o.pid() > 0 ? cpuTicks(o.pid()) : 0;
      }
      if (o.pid() > 0 && measuring && now >= nextSample) {
        double rss = rssMiB(o.pid());
        rssSum += rss;
        rssMax = Math.max(rssMax, rss);
        rssSamples++;
        nextSample += TimeUnit.SECONDS.toNanos(1);
      }
      if (now < next) {
        TimeUnit.NANOSECONDS.sleep(Math.min(next - now, 1_000_000));
        continue;
      }
      next += intervalNanos;
      try {
        stub.withDeadlineAfter(5, TimeUnit.SECONDS).export(request);
        sent += o.batch();
      } catch (StatusRuntimeException e) {
        refused += o.batch();
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE
            && e.getStatus().getCode() != Status.Code.RESOURCE_EXHAUSTED) {
          System.err.println("export failed: " + e.getStatus());
        }
      }
    }
    double measuredSeconds = o.seconds();
    double cpu = Double.NaN;
    if (o.pid() > 0) {
      cpu = (cpuTicks(o.pid()) - cpuStart) / 100.0 / measuredSeconds * 100.0;
    }
    Thread.sleep(3000); // let the collector's batch and queue flush to the sink
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    System.out.printf(Locale.ROOT,
        "target_rate=%d spans/s achieved=%.0f spans/s refused=%d sink_received=%d rss_avg=%.1f MiB rss_max=%.1f MiB cpu=%.1f%% of one core%n",
        o.rate(), sent / measuredSeconds, refused, sinkSpans.get(),
        rssSamples == 0 ? Double.NaN : rssSum / rssSamples, rssMax, cpu);
    if (sink != null) {
      sink.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** A realistic HTTP server span batch: resource with ECS attributes, HTTP attributes per span. */
  static ExportTraceServiceRequest request(int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.tomcat-10.0").setVersion("2.10.0"));
    long now = System.currentTimeMillis() * 1_000_000L;
    for (int i = 0; i < spans; i++) {
      ss.addSpans(Span.newBuilder()
          .setTraceId(id(16, i))
          .setSpanId(id(8, i))
          .setName("GET /api/orders/{id}")
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(now)
          .setEndTimeUnixNano(now + 12_000_000)
          .addAttributes(attr("http.request.method", "GET"))
          .addAttributes(attr("url.path", "/api/orders/42"))
          .addAttributes(attr("http.route", "/api/orders/{id}"))
          .addAttributes(attr("server.address", "orders.internal"))
          .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
              .setValue(AnyValue.newBuilder().setIntValue(200))));
    }
    Resource resource = Resource.newBuilder()
        .addAttributes(attr("service.name", "orders"))
        .addAttributes(attr("cloud.provider", "aws"))
        .addAttributes(attr("cloud.platform", "aws_ecs"))
        .addAttributes(attr("aws.ecs.launchtype", "fargate"))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(ss)).build();
  }

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static ByteString id(int len, int i) {
    ByteBuffer b = ByteBuffer.allocate(len);
    b.putLong(0x5b8efff798038103L + i);
    if (len == 16) {
      b.putLong(0xd269b633813fc60cL ^ i);
    }
    return ByteString.copyFrom(b.array());
  }

  static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  /** utime + stime of the process, in clock ticks (100 per second on Linux). */
  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
