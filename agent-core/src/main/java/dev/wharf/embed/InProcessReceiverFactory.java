package dev.wharf.embed;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ReceiverFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.SelfTelemetry.ReceiverMetrics;
import java.util.Map;

/**
 * The {@code inprocess} receiver: the entry for data an application embedding Wharf hands over
 * directly (see {@link WharfSdkExporters}), without serialising it or opening a port. It has no
 * settings.
 */
public final class InProcessReceiverFactory implements ReceiverFactory<InProcessReceiverFactory.Config> {

  /** No settings. */
  public record Config() {}

  @Override
  public String type() {
    return "inprocess";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.ALPHA, Signal.METRICS, Stability.ALPHA, Signal.LOGS, Stability.ALPHA);
  }

  @Override
  public Config parseConfig(ConfigNode node) {
    return new Config();
  }

  @Override
  public Component createReceiver(ComponentContext context, Config config, Consumers next) {
    return new InProcessReceiver(next, context.telemetry().receiver(context.id(), "inprocess"));
  }

  /** Hands data to the pipelines the receiver is used in, counting accepted and refused items. */
  public static final class InProcessReceiver implements Component {
    private final Consumers next;
    private final ReceiverMetrics metrics;
    private volatile boolean running;

    InProcessReceiver(Consumers next, ReceiverMetrics metrics) {
      this.next = next;
      this.metrics = metrics;
    }

    @Override
    public void start(dev.wharf.component.Host host) {
      running = true;
    }

    @Override
    public void shutdown(long deadlineNanos) {
      running = false;
    }

    /**
     * Pushes {@code data} into the pipelines of its signal.
     *
     * @throws RefusedException when not running, when no pipeline of that signal uses this receiver,
     *     or when the pipeline refuses
     */
    public <T extends com.google.protobuf.Message> void push(Signal<T> signal, T data) {
      int items = signal.itemCount(data);
      TelemetryConsumer<T> consumer = next.get(signal);
      if (consumer == null) {
        metrics.refused(signal, items);
        throw RefusedException.permanent("the inprocess receiver is not used in any " + signal.id() + " pipeline");
      }
      if (!running) {
        metrics.refused(signal, items);
        throw RefusedException.unavailable("Wharf is not running");
      }
      try {
        consumer.consume(data);
        metrics.accepted(signal, items);
      } catch (RefusedException e) {
        metrics.refused(signal, items);
        throw e;
      }
    }
  }
}
