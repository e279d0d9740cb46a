package dev.wharf.processor.resourcedetection;

import dev.wharf.component.ComponentContext;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The {@code resourcedetection} processor (docs/components/resourcedetection.md). Pipelines that
 * share a processor id share one detection, keyed by the config instance the service parsed for
 * that id; the entry is dropped when its last pipeline shuts down.
 */
public final class ResourceDetectionProcessorFactory implements ProcessorFactory<ResourceDetectionConfig> {
  private final Map<ResourceDetectionConfig, SharedDetection> shared = new IdentityHashMap<>();
  private final SystemDetector.Host host;

  public ResourceDetectionProcessorFactory() {
    this(new SystemDetector.RealHost());
  }

  ResourceDetectionProcessorFactory(SystemDetector.Host host) {
    this.host = host;
  }

  @Override
  public String type() {
    return "resourcedetection";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public ResourceDetectionConfig parseConfig(ConfigNode node) {
    return ResourceDetectionConfig.parse(node);
  }

  @Override
  public <T extends com.google.protobuf.Message> Processor<T> createProcessor(
      ComponentContext context, ResourceDetectionConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    SharedDetection d;
    synchronized (shared) {
      d = shared.get(config);
      if (d == null) {
        d = newDetection(context, config);
        shared.put(config, d);
      }
      d.acquire();
    }
    return new ResourceDetectionProcessor<>(signal, d, next);
  }

  private SharedDetection newDetection(ComponentContext context, ResourceDetectionConfig config) {
    Logger log = context.logger();
    Map<String, String> env = context.env();
    List<Detector> detectors = new ArrayList<>();
    for (String type : config.detectors()) {
      switch (type) {
        case "env":
          detectors.add(new EnvDetector(env));
          break;
        case "system":
          detectors.add(new SystemDetector(config.system(), host, log));
          break;
        case "ecs":
          detectors.add(new EcsDetector(env, config.ecs(), log));
          break;
        case "ec2":
          detectors.add(new Ec2Detector(env, config.ec2(), log));
          break;
        default:
          throw new IllegalStateException("unvalidated detector " + type);
      }
    }
    String id = context.id().toString();
    ResourceProvider provider = new ResourceProvider(id, detectors, config.timeout(), log, context.telemetry());
    SharedDetection d = new SharedDetection(id, provider, config.override(), config.refreshInterval(), log, () -> {
      synchronized (shared) {
        shared.remove(config);
      }
    });
    context.telemetry().gauge("otelcol_processor_resourcedetection_attributes_detected",
        "Number of resource attributes the processor currently adds.", d::attributeCount, "processor", id);
    return d;
  }
}
