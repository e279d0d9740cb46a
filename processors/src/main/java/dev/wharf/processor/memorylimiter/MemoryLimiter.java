package dev.wharf.processor.memorylimiter;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The state one {@code memory_limiter} id shares across all pipelines that list it (as upstream):
 * a checker thread measures memory every {@code check_interval} and flips one volatile flag that
 * every consume call reads. Above the soft limit the flag says refuse; above the hard limit a
 * collection is forced first. Forced collections are spaced by {@code min_gc_interval_when_*} and,
 * when one frees less than 5 %, backed off exponentially up to {@code max_gc_interval_when_*}
 * (upstream v0.156, core#4981), so a collector whose memory is held by queues during an outage
 * does not burn its CPU on useless collections.
 */
public final class MemoryLimiter {
  static final long MIB = 1024L * 1024L;
  private static final int GC_EFFECTIVENESS_PERCENT = 5;

  /** Hard and soft limits in bytes. */
  public record Limits(long hardBytes, long softBytes) {
    public long spikeBytes() {
      return hardBytes - softBytes;
    }
  }

  private final MemoryLimiterConfig config;
  private final Limits limits;
  private final MemorySource source;
  private final LongSupplier nanoClock;
  private final Logger log;

  private volatile boolean refusing;
  private volatile long lastUsed;
  private volatile long forcedGcs;

  // Only touched by the checker thread (or a test calling check()).
  private long lastGcNanos;
  private long lastObserved;
  private long softGcIntervalNanos;
  private long hardGcIntervalNanos;

  private ScheduledExecutorService checker;
  private int users;

  public MemoryLimiter(MemoryLimiterConfig config, Limits limits, MemorySource source, LongSupplier nanoClock,
      Logger log) {
    this.config = config;
    this.limits = limits;
    this.source = source;
    this.nanoClock = nanoClock;
    this.log = log;
    this.lastGcNanos = nanoClock.getAsLong();
  }

  /**
   * Hard and soft limits: a fixed {@code limit_mib} wins over {@code limit_percentage} of
   * {@code totalBytes}; an unset spike is 20 % of the hard limit.
   */
  public static Limits limits(MemoryLimiterConfig c, long totalBytes) {
    long hard;
    long spike;
    if (c.limitMib() > 0) {
      hard = c.limitMib() * MIB;
      spike = c.spikeLimitMib() * MIB;
    } else {
      hard = c.limitPercentage() * totalBytes / 100;
      spike = c.spikeLimitPercentage() * totalBytes / 100;
    }
    if (spike == 0) {
      spike = hard / 5;
    }
    return new Limits(hard, hard - spike);
  }

  public Limits limits() {
    return limits;
  }

  /** The one call on the hot path: a volatile read. */
  public boolean mustRefuse() {
    return refusing;
  }

  /** Memory measured at the last check (bytes). */
  public long lastUsed() {
    return lastUsed;
  }

  public long forcedGcs() {
    return forcedGcs;
  }

  /** Starts the checker thread for the first user; later users share it. */
  public synchronized void start() {
    users++;
    if (users > 1) {
      return;
    }
    long period = config.checkInterval().toNanos();
    checker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(null, r, "wharf-memory-limiter", 256 * 1024);
      t.setDaemon(true);
      return t;
    });
    checker.scheduleAtFixedRate(this::checkSafely, period, period, TimeUnit.NANOSECONDS);
  }

  /** Stops the checker when the last user stops; returns true then. */
  public synchronized boolean stop() {
    if (users == 0) {
      return false;
    }
    users--;
    if (users > 0) {
      return false;
    }
    checker.shutdownNow();
    try {
      checker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    source.close();
    return true;
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      log.log(Level.WARNING, "Memory check failed", e);
    }
  }

  /** One measurement; the checker thread calls it every check_interval. */
  void check() {
    long used = source.read().total();
    lastUsed = used;
    log.fine(() -> "Currently used memory: " + used / MIB + " MiB");
    boolean above = classify(used, false);
    if (!above) {
      if (refusing) {
        log.info(() -> "Memory usage back within limits. Resuming normal operation. cur_mem_mib=" + used / MIB);
      }
      refusing = false;
      return;
    }
    long sinceGc = nanoClock.getAsLong() - lastGcNanos;
    long measured = used;
    if (used >= limits.hardBytes()) {
      long gate = Math.max(config.minGcIntervalWhenHardLimited().toNanos(), hardGcIntervalNanos);
      if (sinceGc > gate) {
        log.warning(() -> "Memory usage is above hard limit. Forcing a GC. cur_mem_mib=" + used / MIB);
        measured = forceGc();
        above = classify(measured, true);
      }
    } else {
      long gate = Math.max(config.minGcIntervalWhenSoftLimited().toNanos(), softGcIntervalNanos);
      if (sinceGc > gate) {
        log.info(() -> "Memory usage is above soft limit. Forcing a GC. cur_mem_mib=" + used / MIB);
        measured = forceGc();
        above = classify(measured, true);
      }
    }
    if (!refusing && above) {
      final long m = measured;
      log.warning(() -> "Memory usage is above soft limit. Refusing data. cur_mem_mib=" + m / MIB
          + " soft_limit_mib=" + limits.softBytes() / MIB);
    }
    if (refusing && !above) {
      final long m = measured;
      log.info(() -> "Memory usage back within limits. Resuming normal operation. cur_mem_mib=" + m / MIB);
    }
    refusing = above;
  }

  private long forceGc() {
    source.gc();
    forcedGcs++;
    lastGcNanos = nanoClock.getAsLong();
    long after = source.read().total();
    lastUsed = after;
    log.info(() -> "Memory usage after GC. cur_mem_mib=" + after / MIB);
    return after;
  }

  /**
   * Whether {@code used} is above the soft limit; also tracks whether forced collections help.
   * A collection is effective when memory ends below the soft limit or drops by at least 5 %; then
   * both back-off intervals reset. After an ineffective forced collection both paths back off.
   */
  private boolean classify(long used, boolean afterForcedGc) {
    boolean above = used >= limits.softBytes();
    boolean effective = !above || used <= lastObserved * (100 - GC_EFFECTIVENESS_PERCENT) / 100;
    lastObserved = used;
    if (effective) {
      softGcIntervalNanos = 0;
      hardGcIntervalNanos = 0;
      return above;
    }
    if (!afterForcedGc) {
      return above;
    }
    softGcIntervalNanos = nextInterval(softGcIntervalNanos, config.minGcIntervalWhenSoftLimited(),
        config.maxGcIntervalWhenSoftLimited());
    hardGcIntervalNanos = nextInterval(hardGcIntervalNanos, config.minGcIntervalWhenHardLimited(),
        config.maxGcIntervalWhenHardLimited());
    log.warning(() -> "Forced GC did not reclaim enough memory. Will back off GC frequency to preserve CPU"
        + " for recovery. next_soft_gc_interval=" + softGcIntervalNanos / 1_000_000 + "ms next_hard_gc_interval="
        + hardGcIntervalNanos / 1_000_000 + "ms cur_mem_mib=" + used / MIB);
    return above;
  }

  private long nextInterval(long current, Duration min, Duration max) {
    if (max.isZero()) {
      return min.toNanos();
    }
    long floor = Math.max(min.toNanos(), (long) (config.checkInterval().toNanos() * 0.95));
    long cap = Math.max(max.toNanos(), min.toNanos());
    return Math.min(Math.max(current, floor) * 2, cap);
  }

  /** Current back-off intervals (nanos) for the soft and hard paths, for tests. */
  long[] gcIntervals() {
    return new long[] {softGcIntervalNanos, hardGcIntervalNanos};
  }
}
