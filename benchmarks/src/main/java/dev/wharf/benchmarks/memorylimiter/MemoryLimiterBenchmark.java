package dev.wharf.benchmarks.memorylimiter;

import dev.wharf.component.BuildInfo;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Processor;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.memorylimiter.JvmMemorySource;
import dev.wharf.processor.memorylimiter.MemoryLimiterConfig;
import dev.wharf.processor.memorylimiter.MemoryLimiterProcessorFactory;
import dev.wharf.processor.memorylimiter.MemorySource;
import dev.wharf.telemetry.SelfTelemetry;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The memory limiter's cost: per {@code consume} (a volatile read, then the next consumer), and per
 * check (what the checker thread pays every check_interval to measure the JVM).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MemoryLimiterBenchmark {
  private Processor<TracesData> processor;
  private TracesData request;
  private JvmMemorySource source;
  private long seen;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    MemoryLimiterProcessorFactory f = new MemoryLimiterProcessorFactory();
    MemoryLimiterConfig config = f.parseConfig(ConfigNode.of("processors.memory_limiter",
        Map.of("check_interval", "1s", "limit_mib", 1_000_000), new ConfigProblems()));
    ComponentContext ctx = new ComponentContext(ComponentId.parse("memory_limiter"), ComponentKind.PROCESSOR,
        Signal.TRACES, SelfTelemetry.inMemory(), Map.of(), BuildInfo.current());
    processor = f.createProcessor(ctx, config, Signal.TRACES, data -> seen += data.getResourceSpansCount());
    processor.start(null);
    request = TracesData.newBuilder().addResourceSpans(ResourceSpans.getDefaultInstance()).build();
    source = new JvmMemorySource();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    processor.shutdown(System.nanoTime());
    source.close();
  }

  @Benchmark
  @Threads(1)
  public void consume1Thread() {
    processor.consume(request);
  }

  @Benchmark
  @Threads(2)
  public void consume2Threads() {
    processor.consume(request);
  }

  /** What one check costs (heap, non-heap and buffer-pool MXBeans). */
  @Benchmark
  public void measureJvmMemory(Blackhole bh) {
    MemorySource.Usage u = source.read();
    bh.consume(u.total());
  }
}
