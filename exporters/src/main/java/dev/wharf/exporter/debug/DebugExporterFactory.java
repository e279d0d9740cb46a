package dev.wharf.exporter.debug;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Map;
import java.util.logging.Logger;

/** The {@code debug} exporter: writes what it receives to the collector's log. */
public final class DebugExporterFactory implements ExporterFactory<DebugConfig> {
  @Override
  public String type() {
    return "debug";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.DEVELOPMENT, Signal.METRICS, Stability.DEVELOPMENT,
        Signal.LOGS, Stability.DEVELOPMENT);
  }

  @Override
  public DebugConfig parseConfig(ConfigNode node) {
    return DebugConfig.parse(node);
  }

  @Override
  public <T extends Message> Exporter<T> createExporter(ComponentContext context, DebugConfig config, Signal<T> signal) {
    return new DebugExporter<>(config, signal, context.logger(), () -> System.currentTimeMillis() / 1000);
  }

  /** Logs one batch at a time, sampled per second as upstream. */
  static final class DebugExporter<T extends Message> implements Exporter<T> {
    private final DebugConfig config;
    private final Signal<T> signal;
    private final Logger log;
    private final java.util.function.LongSupplier epochSecond;
    private long second;
    private long inSecond;

    DebugExporter(DebugConfig config, Signal<T> signal, Logger log, java.util.function.LongSupplier epochSecond) {
      this.config = config;
      this.signal = signal;
      this.log = log;
      this.epochSecond = epochSecond;
    }

    @Override
    public void consume(T data) {
      if (!sampled()) {
        return;
      }
      String kind = signal == Signal.TRACES ? "Traces" : signal == Signal.METRICS ? "Metrics" : "Logs";
      String counts = kind + " {\"resource " + signal.id() + "\": " + signal.resourceCount(data) + ", \""
          + signal.itemName().replace('_', ' ') + "\": " + signal.itemCount(data) + "}";
      switch (config.verbosity()) {
        case BASIC:
          log.info(counts);
          break;
        case NORMAL:
          log.info(counts + "\n" + normal(data));
          break;
        default:
          log.info(counts + "\n" + TextFormat.printer().printToString(data));
      }
    }

    private String normal(T data) {
      if (data instanceof TracesData t) {
        return DebugFormatter.normal(t);
      } else if (data instanceof MetricsData m) {
        return DebugFormatter.normal(m);
      }
      return DebugFormatter.normal((LogsData) data);
    }

    private synchronized boolean sampled() {
      long now = epochSecond.getAsLong();
      if (now != second) {
        second = now;
        inSecond = 0;
      }
      inSecond++;
      if (inSecond <= config.samplingInitial()) {
        return true;
      }
      return (inSecond - config.samplingInitial()) % config.samplingThereafter() == 0;
    }
  }
}
