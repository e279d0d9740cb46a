package dev.wharf.processor.batch;

import dev.wharf.config.ConfigNode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code batch} processor settings, with upstream's keys, defaults and validation
 * (core {@code processor/batchprocessor}).
 *
 * @param sendBatchSize items (spans, metric data points, log records) that trigger a send; a trigger, not a cap
 * @param timeout longest time data waits before it is sent; zero sends at once
 * @param sendBatchMaxSize upper bound of a sent batch, larger ones are split; 0 = no bound
 * @param metadataKeys client-metadata keys to batch by, lower-cased (accepted, see the doc)
 * @param metadataCardinalityLimit most distinct metadata combinations
 */
public record BatchConfig(
    int sendBatchSize,
    Duration timeout,
    int sendBatchMaxSize,
    List<String> metadataKeys,
    int metadataCardinalityLimit) {

  public static final BatchConfig DEFAULT =
      new BatchConfig(8192, Duration.ofMillis(200), 0, List.of(), 1000);

  public BatchConfig {
    metadataKeys = List.copyOf(metadataKeys);
  }

  /** Binds the processor's node; every problem is recorded on it with its path. */
  public static BatchConfig parse(ConfigNode n) {
    int size = uint32(n, "send_batch_size", DEFAULT.sendBatchSize);
    Duration timeout = n.duration("timeout", DEFAULT.timeout);
    int max = uint32(n, "send_batch_max_size", DEFAULT.sendBatchMaxSize);
    List<String> keys = n.stringList("metadata_keys", List.of());
    int cardinality = uint32(n, "metadata_cardinality_limit", DEFAULT.metadataCardinalityLimit);
    if (timeout != null && timeout.isNegative()) {
      n.problem("timeout", "timeout must be greater or equal to 0");
      timeout = DEFAULT.timeout;
    }
    if (max > 0 && max < size) {
      n.problem("send_batch_max_size", "send_batch_max_size must be greater or equal to send_batch_size"
          + " (send_batch_max_size " + max + ", send_batch_size " + size + ")");
    }
    Set<String> seen = new HashSet<>();
    List<String> lower = new java.util.ArrayList<>(keys.size());
    for (String k : keys) {
      String l = k.toLowerCase(Locale.ROOT);
      if (!seen.add(l)) {
        n.problem("metadata_keys", "duplicate entry in metadata_keys: \"" + l + "\" (case-insensitive)");
      }
      lower.add(l);
    }
    lower.sort(null);
    return new BatchConfig(size, timeout, max, lower, cardinality);
  }

  // Upstream declares these as uint32: negative values are an error, not "unlimited".
  private static int uint32(ConfigNode n, String key, int def) {
    long v = n.longValue(key, def);
    if (v < 0) {
      n.problem(key, "must not be negative, got " + v);
      return def;
    }
    if (v > Integer.MAX_VALUE) {
      n.problem(key, "is too large: " + v + " (at most " + Integer.MAX_VALUE + ")");
      return def;
    }
    return (int) v;
  }
}
