package dev.wharf.processor.memorylimiter;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.Counter;

/**
 * One pipeline's view of a shared {@link MemoryLimiter}: refuses every request, retryably
 * ({@code UNAVAILABLE}, so OTLP clients get gRPC UNAVAILABLE / HTTP 503 and retry), while the
 * limiter says memory is above the soft limit; otherwise passes it on untouched.
 */
final class MemoryLimiterProcessor<T extends Message> implements Processor<T> {
  static final String REFUSED_MESSAGE = "data refused due to high memory usage";

  private final MemoryLimiter limiter;
  private final Signal<T> signal;
  private final TelemetryConsumer<T> next;
  private final Counter refused;
  private final Runnable onStop;
  private volatile boolean started;

  MemoryLimiterProcessor(ComponentContext context, MemoryLimiter limiter, Signal<T> signal,
      TelemetryConsumer<T> next, Runnable onStop) {
    this.limiter = limiter;
    this.signal = signal;
    this.next = next;
    this.onStop = onStop;
    this.refused = context.telemetry().counter("otelcol_processor_refused_" + signal.itemName(),
        "Number of " + signal.itemName() + " that were rejected by the next component in the pipeline.",
        "processor", context.id().toString());
  }

  @Override
  public void start(Host host) {
    if (!started) {
      started = true;
      limiter.start();
    }
  }

  @Override
  public void consume(T data) {
    if (limiter.mustRefuse()) {
      refused.increment(signal.itemCount(data));
      throw RefusedException.unavailable(REFUSED_MESSAGE);
    }
    next.consume(data);
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (started) {
      started = false;
      onStop.run();
    }
  }
}
