package dev.wharf.processor.resource;

import dev.wharf.component.ComponentContext;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import java.util.Map;

/** The {@code resource} processor: attribute actions on the resource (docs/components/resource.md). */
public final class ResourceProcessorFactory implements ProcessorFactory<ResourceProcessorConfig> {

  @Override
  public String type() {
    return "resource";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public ResourceProcessorConfig parseConfig(ConfigNode node) {
    return ResourceProcessorConfig.parse(node);
  }

  @Override
  public <T extends com.google.protobuf.Message> Processor<T> createProcessor(
      ComponentContext context, ResourceProcessorConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    return new ResourceProcessor<>(signal, config.attributes(), next);
  }
}
