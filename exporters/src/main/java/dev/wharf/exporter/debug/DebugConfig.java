package dev.wharf.exporter.debug;

import dev.wharf.config.ConfigNode;
import java.util.List;

/**
 * {@code debug} exporter settings, as upstream: {@code verbosity} basic|normal|detailed (default
 * basic), {@code sampling_initial} (2) and {@code sampling_thereafter} (1): per second, the first
 * {@code sampling_initial} batches are logged, then every {@code sampling_thereafter}-th.
 */
public record DebugConfig(Verbosity verbosity, int samplingInitial, int samplingThereafter) {

  /** How much is written per batch. */
  public enum Verbosity {
    /** One line per batch with counts. */
    BASIC,
    /** One line per span, data point or log record. */
    NORMAL,
    /** Everything, one block per item. */
    DETAILED
  }

  static DebugConfig parse(ConfigNode n) {
    String v = n.oneOf("verbosity", "basic", List.of("basic", "normal", "detailed"));
    int initial = n.intValue("sampling_initial", 2, 1, Integer.MAX_VALUE);
    int thereafter = n.intValue("sampling_thereafter", 1, 1, Integer.MAX_VALUE);
    n.bool("use_internal_logger", true);
    return new DebugConfig(Verbosity.valueOf(v.toUpperCase(java.util.Locale.ROOT)), initial, thereafter);
  }
}
