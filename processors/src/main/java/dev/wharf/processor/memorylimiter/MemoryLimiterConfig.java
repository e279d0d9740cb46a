package dev.wharf.processor.memorylimiter;

import dev.wharf.config.ConfigNode;
import java.time.Duration;

/**
 * {@code memory_limiter} settings with upstream's keys, defaults and validation (core
 * {@code internal/memorylimiter/config.go}, v0.156).
 *
 * @param checkInterval how often memory is measured; required, must be positive
 * @param limitMib hard limit in MiB; wins over {@code limitPercentage}
 * @param spikeLimitMib hard minus soft limit in MiB; 0 = 20 % of the hard limit
 * @param limitPercentage hard limit as a percentage of the container (or task, or host) memory
 * @param spikeLimitPercentage spike as a percentage of the same total; 0 = 20 % of the hard limit
 * @param minGcIntervalWhenSoftLimited least time between forced collections above the soft limit
 * @param minGcIntervalWhenHardLimited least time between forced collections above the hard limit
 * @param maxGcIntervalWhenSoftLimited cap of the back-off after ineffective collections (0 = no back-off)
 * @param maxGcIntervalWhenHardLimited the same for the hard-limit path
 */
public record MemoryLimiterConfig(
    Duration checkInterval,
    long limitMib,
    long spikeLimitMib,
    long limitPercentage,
    long spikeLimitPercentage,
    Duration minGcIntervalWhenSoftLimited,
    Duration minGcIntervalWhenHardLimited,
    Duration maxGcIntervalWhenSoftLimited,
    Duration maxGcIntervalWhenHardLimited) {

  public static final MemoryLimiterConfig DEFAULT = new MemoryLimiterConfig(Duration.ZERO, 0, 0, 0, 0,
      Duration.ofSeconds(10), Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(30));

  private static final long UINT32_MAX = 0xFFFF_FFFFL;

  /** Binds and validates the processor's node; problems are recorded with their path. */
  public static MemoryLimiterConfig parse(ConfigNode n) {
    Duration check = n.duration("check_interval", DEFAULT.checkInterval);
    long limit = uint32(n, "limit_mib");
    long spike = uint32(n, "spike_limit_mib");
    long pct = uint32(n, "limit_percentage");
    long spikePct = uint32(n, "spike_limit_percentage");
    Duration minSoft = n.duration("min_gc_interval_when_soft_limited", DEFAULT.minGcIntervalWhenSoftLimited);
    Duration minHard = n.duration("min_gc_interval_when_hard_limited", DEFAULT.minGcIntervalWhenHardLimited);
    Duration maxSoft = n.duration("max_gc_interval_when_soft_limited", DEFAULT.maxGcIntervalWhenSoftLimited);
    Duration maxHard = n.duration("max_gc_interval_when_hard_limited", DEFAULT.maxGcIntervalWhenHardLimited);
    // Upstream's Validate returns the first error only; we report each that applies, same wording.
    if (check.isNegative() || check.isZero()) {
      n.problem("check_interval", "'check_interval' must be greater than zero");
    }
    if (minSoft.compareTo(minHard) < 0) {
      n.problem("min_gc_interval_when_soft_limited",
          "'min_gc_interval_when_soft_limited' should be larger than 'min_gc_interval_when_hard_limited'");
    }
    if (maxSoft.isNegative()) {
      n.problem("max_gc_interval_when_soft_limited", "'max_gc_interval_when_soft_limited' must be non-negative");
    }
    if (maxHard.isNegative()) {
      n.problem("max_gc_interval_when_hard_limited", "'max_gc_interval_when_hard_limited' must be non-negative");
    }
    if (maxSoft.compareTo(Duration.ZERO) > 0 && maxSoft.compareTo(minSoft) < 0) {
      n.problem("max_gc_interval_when_soft_limited", "'max_gc_interval_when_soft_limited' must be greater than"
          + " or equal to 'min_gc_interval_when_soft_limited' (or 0 to disable)");
    }
    if (maxHard.compareTo(Duration.ZERO) > 0 && maxHard.compareTo(minHard) < 0) {
      n.problem("max_gc_interval_when_hard_limited", "'max_gc_interval_when_hard_limited' must be greater than"
          + " or equal to 'min_gc_interval_when_hard_limited' (or 0 to disable)");
    }
    if (maxSoft.compareTo(Duration.ZERO) > 0 && maxHard.compareTo(Duration.ZERO) > 0 && maxSoft.compareTo(maxHard) < 0) {
      n.problem("max_gc_interval_when_soft_limited", "'max_gc_interval_when_soft_limited' should be larger than"
          + " or equal to 'max_gc_interval_when_hard_limited' (when both are set)");
    }
    if (limit == 0 && pct == 0) {
      n.problem("limit_mib", "'limit_mib' or 'limit_percentage' must be greater than zero");
    }
    if (pct > 100 || spikePct > 100) {
      n.problem(pct > 100 ? "limit_percentage" : "spike_limit_percentage", "'limit_percentage' and"
          + " 'spike_limit_percentage' must be greater than zero and less than or equal to hundred");
    }
    if (limit > 0 && limit <= spike) {
      n.problem("spike_limit_mib", "'spike_limit_mib' must be smaller than 'limit_mib'");
    }
    if (pct > 0 && pct <= spikePct) {
      n.problem("spike_limit_percentage", "'spike_limit_percentage' must be smaller than 'limit_percentage'");
    }
    return new MemoryLimiterConfig(check, limit, spike, pct, spikePct, minSoft, minHard, maxSoft, maxHard);
  }

  private static long uint32(ConfigNode n, String key) {
    long v = n.longValue(key, 0);
    if (v < 0 || v > UINT32_MAX) {
      n.problem(key, "must be within 0.." + UINT32_MAX + ", got " + v);
      return 0;
    }
    return v;
  }

  /** True when the limit depends on the machine (percentages) rather than fixed MiB. */
  public boolean usesPercentage() {
    return limitMib == 0;
  }
}
