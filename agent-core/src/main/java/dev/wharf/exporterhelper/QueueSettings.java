package dev.wharf.exporterhelper;

import dev.wharf.component.ComponentId;
import dev.wharf.config.ConfigNode;
import java.util.List;

/**
 * {@code sending_queue}, with upstream's keys and defaults. {@code storage} names a storage
 * extension (e.g. {@code file_storage}) for a persistent queue.
 */
public record QueueSettings(
    boolean enabled,
    int numConsumers,
    long queueSize,
    Sizer sizer,
    boolean blockOnOverflow,
    boolean waitForResult,
    ComponentId storage) {

  /** What {@code queue_size} counts. */
  public enum Sizer {
    REQUESTS,
    ITEMS,
    BYTES
  }

  public static final QueueSettings DEFAULT =
      new QueueSettings(true, 10, 1000, Sizer.REQUESTS, false, false, null);

  public static final QueueSettings DISABLED =
      new QueueSettings(false, 10, 1000, Sizer.REQUESTS, false, false, null);

  /** Binds {@code sending_queue} over {@code defaults}; problems are recorded on the node. */
  public static QueueSettings parse(ConfigNode n, QueueSettings defaults) {
    boolean enabled = n.bool("enabled", defaults.enabled);
    int consumers = n.intValue("num_consumers", defaults.numConsumers);
    long size = n.longValue("queue_size", defaults.queueSize);
    String sizerName = n.oneOf("sizer", defaults.sizer.name().toLowerCase(java.util.Locale.ROOT),
        List.of("requests", "items", "bytes"));
    boolean block = n.bool("block_on_overflow", defaults.blockOnOverflow);
    boolean wait = n.bool("wait_for_result", defaults.waitForResult);
    ComponentId storage = defaults.storage;
    String storageId = n.string("storage", null);
    if (storageId != null && !storageId.isEmpty()) {
      try {
        storage = ComponentId.parse(storageId);
      } catch (IllegalArgumentException e) {
        n.problem("storage", e.getMessage());
      }
    }
    if (enabled && consumers <= 0) {
      n.problem("num_consumers", "must be positive, got " + consumers);
    }
    if (enabled && size <= 0) {
      n.problem("queue_size", "must be positive, got " + size);
    }
    if (n.has("batch")) {
      n.problem("batch", "batching inside the sending queue is not supported; use the batch processor");
    }
    return new QueueSettings(enabled, consumers, size,
        Sizer.valueOf(sizerName.toUpperCase(java.util.Locale.ROOT)), block, wait, storage);
  }
}
