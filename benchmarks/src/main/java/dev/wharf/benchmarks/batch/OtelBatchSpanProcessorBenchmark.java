package dev.wharf.benchmarks.batch;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
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
 * The in-process reference: OpenTelemetry Java's {@link BatchSpanProcessor} (default settings:
 * queue 2048, batch 512, 5s schedule) doing the same job, handing {@code items} already-ended spans
 * per operation to its queue, with an exporter that only counts. Its {@code onEnd} drops spans
 * when the queue is full; how many arrived is printed at the end of each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OtelBatchSpanProcessorBenchmark {

  @Param({"1", "10", "100", "1000"})
  public int items;

  private BatchSpanProcessor bsp;
  private ReadableSpan[] spans;
  private final LongAdder offered = new LongAdder();
  private final LongAdder exported = new LongAdder();
  private SdkTracerProvider source;

  @Setup(Level.Trial)
  public void setUp() {
    SpanExporter counting = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> batch) {
        exported.add(batch.size());
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    bsp = BatchSpanProcessor.builder(counting).build();
    // A provider needs a processor to record spans at all; this one keeps nothing.
    source = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {}

      @Override
      public boolean isEndRequired() {
        return false;
      }
    }).build();
    Tracer tracer = source.get("bench");
    spans = new ReadableSpan[items];
    for (int i = 0; i < items; i++) {
      Span s = tracer.spanBuilder("GET /orders/{id}").setParent(Context.root())
          .setAttribute("http.request.method", "GET").setAttribute("url.path", "/orders/" + i).startSpan();
      s.end();
      spans[i] = (ReadableSpan) s;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    bsp.shutdown().join(10, TimeUnit.SECONDS);
    source.shutdown().join(10, TimeUnit.SECONDS);
    System.out.println();
    System.out.println("# offered " + offered.sum() + " spans, exported " + exported.sum()
        + " (the rest dropped by a full queue)");
  }

  private void handOver() {
    for (ReadableSpan s : spans) {
      bsp.onEnd(s);
    }
    offered.add(spans.length);
  }

  @Benchmark
  @Threads(1)
  public void onEnd1Thread() {
    handOver();
  }

  @Benchmark
  @Threads(2)
  public void onEnd2Threads() {
    handOver();
  }
}
