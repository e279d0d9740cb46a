package dev.wharf.component;

import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Everything a factory may give the component it creates. The environment is passed in rather than
 * read from {@link System#getenv()} so that embedded and tested services can supply their own.
 *
 * @param signal the pipeline signal for processors and exporters; null for receivers and extensions
 */
public record ComponentContext(
    ComponentId id,
    ComponentKind kind,
    Signal<?> signal,
    SelfTelemetry telemetry,
    Map<String, String> env,
    BuildInfo buildInfo) {

  /** A logger named after the component, e.g. {@code wharf.exporter.otlp/2}. */
  public Logger logger() {
    return Logger.getLogger("wharf." + kind.label() + "." + id);
  }

  /** An environment variable, or null when unset. */
  public String env(String name) {
    return env.get(name);
  }
}
