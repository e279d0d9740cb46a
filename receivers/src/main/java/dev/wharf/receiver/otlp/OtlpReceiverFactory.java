package dev.wharf.receiver.otlp;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ReceiverFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import java.util.Map;

/** Factory of the {@code otlp} receiver (traces, metrics, logs: stable). */
public final class OtlpReceiverFactory implements ReceiverFactory<OtlpReceiverConfig> {

  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.STABLE, Signal.METRICS, Stability.STABLE, Signal.LOGS, Stability.STABLE);
  }

  @Override
  public OtlpReceiverConfig parseConfig(ConfigNode node) {
    return OtlpReceiverConfig.parse(node);
  }

  @Override
  public Component createReceiver(ComponentContext context, OtlpReceiverConfig config, Consumers next) {
    return new OtlpReceiver(context, config, next);
  }
}
