package dev.wharf.extension.filestorage;

import dev.wharf.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code file_storage} settings with the upstream keys and defaults (contrib
 * {@code extension/storage/filestorage}).
 *
 * @param directory where the queues live (one sub-directory per exporter and signal)
 * @param timeout how long to wait for a queue directory's lock
 * @param fsync force every write to disk (survives power loss, not only a process crash)
 * @param createDirectory create {@code directory} (and the compaction directory) when missing
 * @param directoryPermissions permissions of created directories, octal, e.g. {@code 0750}
 * @param maxSize bytes a single queue may hold on disk; 0 = only {@code queue_size} bounds it
 */
public record FileStorageConfig(
    Path directory,
    Duration timeout,
    boolean fsync,
    boolean createDirectory,
    String directoryPermissions,
    long maxSize,
    Compaction compaction) {

  /** Upstream's default directory on Linux. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/var/lib/otelcol/file_storage");

  /** {@code compaction}: when to reclaim disk space left by completed requests. */
  public record Compaction(
      boolean onStart,
      boolean onRebound,
      Path directory,
      long maxTransactionSize,
      long reboundNeededThresholdMib,
      long reboundTriggerThresholdMib,
      Duration checkInterval,
      boolean cleanupOnStart) {}

  public static FileStorageConfig parse(ConfigNode n) {
    Path dir = Path.of(n.string("directory", DEFAULT_DIRECTORY.toString()));
    Duration timeout = n.nonNegativeDuration("timeout", Duration.ofSeconds(1));
    boolean fsync = n.bool("fsync", false);
    boolean create = n.bool("create_directory", false);
    String perms = n.string("directory_permissions", "0750");
    long maxSize = n.longValue("max_size", 0);
    ConfigNode c = n.child("compaction");
    boolean onStart = c.bool("on_start", false);
    boolean onRebound = c.bool("on_rebound", false);
    Path cdir = Path.of(c.string("directory", dir.toString()));
    long maxTx = c.longValue("max_transaction_size", 65536);
    long needed = c.longValue("rebound_needed_threshold_mib", 100);
    long trigger = c.longValue("rebound_trigger_threshold_mib", 10);
    Duration check = c.nonNegativeDuration("check_interval", Duration.ofSeconds(5));
    boolean cleanup = c.bool("cleanup_on_start", false);

    if (!perms.matches("0?[0-7]{3}")) {
      n.problem("directory_permissions", "expected octal permissions such as 0750, got '" + perms + "'");
    }
    if (maxSize < 0) {
      n.problem("max_size", "must not be negative, got " + maxSize);
    }
    if (maxTx < 0) {
      c.problem("max_transaction_size", "must not be negative, got " + maxTx);
    }
    if (needed < 0) {
      c.problem("rebound_needed_threshold_mib", "must not be negative, got " + needed);
    }
    if (trigger < 0) {
      c.problem("rebound_trigger_threshold_mib", "must not be negative, got " + trigger);
    }
    if (!create) {
      checkDirectory(n, "directory", dir);
      if (c.has("directory")) {
        checkDirectory(c, "directory", cdir);
      }
    }
    return new FileStorageConfig(dir, timeout, fsync, create, perms, maxSize,
        new Compaction(onStart, onRebound, cdir, maxTx, needed, trigger, check, cleanup));
  }

  private static void checkDirectory(ConfigNode n, String key, Path p) {
    if (!Files.exists(p)) {
      n.problem(key, "directory must exist: " + p + " (or set create_directory: true)");
    } else if (!Files.isDirectory(p)) {
      n.problem(key, p + " is not a directory");
    }
  }
}
