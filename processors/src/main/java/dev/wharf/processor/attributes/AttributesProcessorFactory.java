package dev.wharf.processor.attributes;

import dev.wharf.component.ComponentContext;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code attributes} processor: attribute actions on spans, log records and metric data points,
 * with include/exclude matching (docs/components/attributes.md).
 */
public final class AttributesProcessorFactory implements ProcessorFactory<AttributesProcessorConfig> {

  @Override
  public String type() {
    return "attributes";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public AttributesProcessorConfig parseConfig(ConfigNode node) {
    return AttributesProcessorConfig.parse(node);
  }

  /** Include/exclude blocks that do not suit {@code signal} (e.g. {@code log_bodies} in a traces pipeline). */
  @Override
  public List<ConfigProblems.Problem> problemsFor(AttributesProcessorConfig config, Signal<?> signal) {
    return config.problemsFor(signal);
  }

  /**
   * @throws ConfigException when the include/exclude blocks do not suit {@code signal}; the service
   *     reports this at validation already, this guards direct use of the factory
   */
  @Override
  public <T extends com.google.protobuf.Message> Processor<T> createProcessor(
      ComponentContext context, AttributesProcessorConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    List<ConfigProblems.Problem> problems = new ArrayList<>(config.problemsFor(signal));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new AttributesProcessor<>(signal, config, next);
  }
}
