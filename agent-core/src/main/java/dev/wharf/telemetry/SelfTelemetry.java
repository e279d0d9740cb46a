package dev.wharf.telemetry;

import dev.wharf.component.ComponentId;
import dev.wharf.pipeline.Signal;
import java.util.function.Supplier;

/**
 * The collector's own metrics, with upstream's names ({@code otelcol_receiver_accepted_spans}, ...),
 * kept in one {@link MetricRegistry} that the service exposes in Prometheus text format on
 * {@code service.telemetry.metrics.address}. Counters are created once per component; the hot path
 * only increments them.
 */
public final class SelfTelemetry {
  private final MetricRegistry registry;

  public SelfTelemetry(MetricRegistry registry) {
    this.registry = registry;
  }

  /** A registry that keeps values in memory only: for tests and for telemetry level none. */
  public static SelfTelemetry inMemory() {
    return new SelfTelemetry(new MetricRegistry());
  }

  public MetricRegistry registry() {
    return registry;
  }

  /** A counter with the given upstream name and label pairs. */
  public Counter counter(String name, String description, String... labelPairs) {
    return registry.counter(name, description, labelPairs);
  }

  /**
   * A gauge reading {@code value} whenever metrics are scraped. A gauge with the same name and labels
   * registered before wins (e.g. when each pipeline's instance of one processor id registers it); give
   * instances distinguishing labels where their values differ.
   */
  public void gauge(String name, String description, Supplier<Number> value, String... labelPairs) {
    registry.gauge(name, description, () -> value.get().doubleValue(), labelPairs);
  }

  /** A histogram over the given ascending bucket bounds. */
  public Histogram histogram(String name, String description, double[] bounds, String... labelPairs) {
    return registry.histogram(name, description, bounds, labelPairs);
  }

  /** Accepted/refused counters of one receiver and transport, for every signal. */
  public ReceiverMetrics receiver(ComponentId id, String transport) {
    return new ReceiverMetrics(this, id, transport);
  }

  /** Sent/failed/enqueue-failed counters of one exporter for one signal. */
  public ExporterMetrics exporter(ComponentId id, Signal<?> signal) {
    return new ExporterMetrics(this, id, signal);
  }

  /** Counters a processor uses to count what it dropped, with the reason in the log. */
  public Counter processorDropped(ComponentId id, Signal<?> signal) {
    return counter("otelcol_processor_dropped_" + signal.itemName(),
        "Items dropped by the processor.", "processor", id.toString());
  }

  /** One receiver's counters; create once at start, increment on the hot path. */
  public static final class ReceiverMetrics {
    private final Counter[] accepted = new Counter[3];
    private final Counter[] refused = new Counter[3];

    ReceiverMetrics(SelfTelemetry t, ComponentId id, String transport) {
      for (Signal<?> s : Signal.all()) {
        int i = index(s);
        accepted[i] = t.counter("otelcol_receiver_accepted_" + s.itemName(),
            "Number of " + s.itemName() + " successfully pushed into the pipeline.",
            "receiver", id.toString(), "transport", transport);
        refused[i] = t.counter("otelcol_receiver_refused_" + s.itemName(),
            "Number of " + s.itemName() + " that could not be pushed into the pipeline.",
            "receiver", id.toString(), "transport", transport);
      }
    }

    public void accepted(Signal<?> signal, long items) {
      accepted[index(signal)].increment(items);
    }

    public void refused(Signal<?> signal, long items) {
      refused[index(signal)].increment(items);
    }
  }

  /** One exporter's counters for one signal. */
  public static final class ExporterMetrics {
    private final Counter sent;
    private final Counter sendFailed;
    private final Counter enqueueFailed;

    ExporterMetrics(SelfTelemetry t, ComponentId id, Signal<?> signal) {
      String n = signal.itemName();
      sent = t.counter("otelcol_exporter_sent_" + n,
          "Number of " + n + " successfully sent to destination.", "exporter", id.toString());
      sendFailed = t.counter("otelcol_exporter_send_failed_" + n,
          "Number of " + n + " in failed attempts to send to destination.", "exporter", id.toString());
      enqueueFailed = t.counter("otelcol_exporter_enqueue_failed_" + n,
          "Number of " + n + " failed to be added to the sending queue.", "exporter", id.toString());
    }

    public void sent(long items) {
      sent.increment(items);
    }

    public void sendFailed(long items) {
      sendFailed.increment(items);
    }

    public void enqueueFailed(long items) {
      enqueueFailed.increment(items);
    }
  }

  static int index(Signal<?> s) {
    return s == Signal.TRACES ? 0 : s == Signal.METRICS ? 1 : 2;
  }
}
