package dev.wharf.processor.resourcedetection;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The detection of one resourcedetection processor id, shared by the instances of every pipeline
 * that lists it (upstream keeps one provider per id): detected once on the first start, refreshed
 * every {@code refresh_interval} if set, stopped when the last instance shuts down.
 */
final class SharedDetection {
  private final ResourceProvider provider;
  private final boolean override;
  private final Duration refreshInterval;
  private final Logger log;
  private final String id;
  private final Runnable onLastRelease;
  private volatile DetectedResource current = DetectedResource.EMPTY;
  private int users;
  private int started;
  private ScheduledExecutorService refresher;

  SharedDetection(String id, ResourceProvider provider, boolean override, Duration refreshInterval, Logger log,
      Runnable onLastRelease) {
    this.id = id;
    this.provider = provider;
    this.override = override;
    this.refreshInterval = refreshInterval;
    this.log = log;
    this.onLastRelease = onLastRelease;
  }

  synchronized void acquire() {
    users++;
  }

  DetectedResource current() {
    return current;
  }

  /** Detects on the first call; later calls (other pipelines) reuse the result. */
  synchronized void start() {
    if (started++ > 0) {
      return;
    }
    ResourceProvider.Result r = provider.detect();
    current = new DetectedResource(r.attributes(), r.schemaUrl(), override);
    log.info("[" + id + "] detected " + r.attributes().size() + " resource attributes "
        + keys(r) + (r.complete() ? "" : " (some detectors failed; see the warnings above)"));
    if (!refreshInterval.isZero()) {
      ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread t = new Thread(runnable, "wharf-resourcedetection-refresh-" + id);
        t.setDaemon(true);
        return t;
      });
      long ms = refreshInterval.toMillis();
      ex.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
      refresher = ex;
    }
  }

  /** Upstream keeps the last good snapshot when a refresh fails. */
  private void refresh() {
    ResourceProvider.Result r = provider.detect();
    DetectedResource prev = current;
    if (!r.complete() && !prev.isEmpty()) {
      log.warning("[" + id + "] refresh failed; keeping the previous "
          + prev.attributes().size() + " attributes");
      return;
    }
    current = new DetectedResource(r.attributes(), r.schemaUrl(), override);
  }

  synchronized void release() {
    if (--users > 0) {
      return;
    }
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
    onLastRelease.run();
  }

  private static List<String> keys(ResourceProvider.Result r) {
    return r.attributes().stream().map(kv -> kv.getKey()).toList();
  }

  /** Attribute count, for the self-metric gauge. */
  int attributeCount() {
    return current.attributes().size();
  }
}
