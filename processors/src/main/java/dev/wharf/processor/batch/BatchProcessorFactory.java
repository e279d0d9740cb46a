package dev.wharf.processor.batch;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import java.util.Map;

/** The {@code batch} processor: groups data into larger requests by size or time. */
public final class BatchProcessorFactory implements ProcessorFactory<BatchConfig> {

  @Override
  public String type() {
    return "batch";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public BatchConfig parseConfig(ConfigNode node) {
    return BatchConfig.parse(node);
  }

  @Override
  public <T extends Message> Processor<T> createProcessor(
      ComponentContext context, BatchConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    return new BatchProcessor<>(context, config, signal, next);
  }
}
