package dev.wharf.testing;

import dev.wharf.component.BuildInfo;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import java.util.Map;

/** Component contexts for unit tests: in-memory self-metrics, an explicit environment. */
public final class TestContexts {
  private TestContexts() {}

  public static ComponentContext context(String id, ComponentKind kind, Signal<?> signal) {
    return context(id, kind, signal, SelfTelemetry.inMemory(), Map.of());
  }

  public static ComponentContext context(
      String id, ComponentKind kind, Signal<?> signal, SelfTelemetry telemetry, Map<String, String> env) {
    return new ComponentContext(ComponentId.parse(id), kind, signal, telemetry, env, BuildInfo.current());
  }

  /** Sum of the counters or gauges with the given name whose labels include the pairs, 0 if absent. */
  public static double metric(SelfTelemetry t, String name, String... labelPairs) {
    return t.registry().value(name, labelPairs);
  }
}
