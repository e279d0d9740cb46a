package dev.wharf.exporterhelper;

import dev.wharf.config.ConfigNode;
import java.time.Duration;

/** {@code retry_on_failure}, with upstream's keys, defaults and validation (configretry). */
public record RetrySettings(
    boolean enabled,
    Duration initialInterval,
    double randomizationFactor,
    double multiplier,
    Duration maxInterval,
    Duration maxElapsedTime) {

  public static final RetrySettings DEFAULT = new RetrySettings(
      true, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofMinutes(5));

  public static final RetrySettings DISABLED = new RetrySettings(
      false, DEFAULT.initialInterval, DEFAULT.randomizationFactor, DEFAULT.multiplier,
      DEFAULT.maxInterval, DEFAULT.maxElapsedTime);

  /** Binds {@code retry_on_failure} over {@code defaults}; problems are recorded on the node. */
  public static RetrySettings parse(ConfigNode n, RetrySettings defaults) {
    boolean enabled = n.bool("enabled", defaults.enabled);
    Duration initial = n.nonNegativeDuration("initial_interval", defaults.initialInterval);
    double rand = n.doubleValue("randomization_factor", defaults.randomizationFactor);
    double mult = n.doubleValue("multiplier", defaults.multiplier);
    Duration maxInterval = n.nonNegativeDuration("max_interval", defaults.maxInterval);
    Duration maxElapsed = n.nonNegativeDuration("max_elapsed_time", defaults.maxElapsedTime);
    if (rand < 0 || rand > 1) {
      n.problem("randomization_factor", "must be within [0, 1], got " + rand);
    }
    if (mult < 0) {
      n.problem("multiplier", "must not be negative, got " + mult);
    }
    if (enabled && !maxElapsed.isZero()) {
      if (maxElapsed.compareTo(initial) < 0) {
        n.problem("max_elapsed_time", "must be at least initial_interval when set");
      }
      if (maxElapsed.compareTo(maxInterval) < 0) {
        n.problem("max_elapsed_time", "must be at least max_interval when set");
      }
    }
    return new RetrySettings(enabled, initial, rand, mult, maxInterval, maxElapsed);
  }
}
