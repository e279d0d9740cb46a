package dev.wharf.benchmarks.batch;

import com.google.protobuf.Message;
import dev.wharf.component.BuildInfo;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Processor;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.batch.BatchConfig;
import dev.wharf.processor.batch.BatchProcessorFactory;
import dev.wharf.telemetry.SelfTelemetry;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The batching hot path: one {@code consume} of a request of {@code items} spans / metric data points
 * / log records into the batch processor with upstream defaults (send_batch_size 8192, timeout
 * 200ms), whose sender thread hands batches to a consumer that only counts. ns/op is per request;
 * divide by {@code items} for per item. Refusals (pending limit reached because the sender thread
 * could not keep up) are counted and printed at the end of each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BatchProcessorBenchmark {

  @Param({"traces", "metrics", "logs"})
  public String signal;

  @Param({"1", "10", "100", "1000"})
  public int items;

  private Processor<Message> processor;
  private Message request;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder refused = new LongAdder();

  @Setup(Level.Trial)
  @SuppressWarnings("unchecked")
  public void setUp() throws Exception {
    Signal<Message> s = (Signal<Message>) (Signal<?>) Signal.byId(signal);
    request = switch (signal) {
      case "traces" -> Payloads.traces(items);
      case "metrics" -> Payloads.metrics(items);
      default -> Payloads.logs(items);
    };
    BatchProcessorFactory f = new BatchProcessorFactory();
    BatchConfig config = f.parseConfig(ConfigNode.of("processors.batch", Map.of(), new ConfigProblems()));
    ComponentContext ctx = new ComponentContext(ComponentId.parse("batch"), ComponentKind.PROCESSOR, s,
        SelfTelemetry.inMemory(), Map.of(), BuildInfo.current());
    processor = f.createProcessor(ctx, config, s, data -> delivered.add(s.itemCount(data)));
    processor.start(null);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    processor.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    System.out.println();
    System.out.println("# delivered " + delivered.sum() + " " + signal + " items, refused requests " + refused.sum());
  }

  private void consumeOnce() {
    try {
      processor.consume(request);
    } catch (RefusedException e) {
      refused.increment();
    }
  }

  @Benchmark
  @Threads(1)
  public void consume1Thread() {
    consumeOnce();
  }

  @Benchmark
  @Threads(2)
  public void consume2Threads() {
    consumeOnce();
  }
}
