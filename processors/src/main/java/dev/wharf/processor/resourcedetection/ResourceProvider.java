package dev.wharf.processor.resourcedetection;

import dev.wharf.processor.resourcedetection.Detector.Detected;
import dev.wharf.processor.resourcedetection.Detector.DetectionException;
import dev.wharf.telemetry.Counter;
import dev.wharf.telemetry.SelfTelemetry;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the configured detectors, concurrently, each retried with exponential backoff (1 s, doubling,
 * jittered) until it succeeds or the {@code timeout} of the whole detection runs out, as upstream's
 * provider does. Detectors that fail contribute nothing; the others are merged in configuration
 * order, the first detector to set a key winning. A failure never stops the collector: it is logged
 * as a warning and the data passes through with what was detected.
 */
final class ResourceProvider {
  /** The outcome of one detection: merged attributes, schema URL, and whether every detector succeeded. */
  record Result(List<KeyValue> attributes, String schemaUrl, boolean complete) {}

  private final List<Detector> detectors;
  private final Duration timeout;
  private final Logger log;
  private final String id;
  private final SelfTelemetry telemetry;

  ResourceProvider(String id, List<Detector> detectors, Duration timeout, Logger log, SelfTelemetry telemetry) {
    this.id = id;
    this.detectors = List.copyOf(detectors);
    this.timeout = timeout;
    this.log = log;
    this.telemetry = telemetry;
  }

  Result detect() {
    if (detectors.isEmpty()) {
      return new Result(List.of(), "", true);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(detectors.size(), r -> {
      Thread t = new Thread(r, "wharf-resourcedetection-" + id + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Detected>> futures = new ArrayList<>();
      for (Detector d : detectors) {
        futures.add(pool.submit(() -> detectWithRetry(d, deadline)));
      }
      List<KeyValue> merged = new ArrayList<>();
      Set<String> keys = new HashSet<>();
      String schemaUrl = "";
      boolean complete = true;
      for (int i = 0; i < detectors.size(); i++) {
        Detector d = detectors.get(i);
        Detected r = null;
        try {
          // A little grace past the deadline: the detector's own requests are bounded by it.
          long wait = Math.max(0, deadline - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(500);
          r = futures.get(i).get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          futures.get(i).cancel(true);
          log.warning("[" + id + "] detector " + d.type() + " did not finish within the timeout of "
              + timeout.toMillis() + " ms; continuing without its attributes");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          futures.get(i).cancel(true);
        } catch (java.util.concurrent.ExecutionException e) {
          log.log(Level.WARNING, "[" + id + "] detector " + d.type() + " failed unexpectedly", e.getCause());
          record(d, "failure");
        }
        if (r == null) {
          complete = false;
          continue;
        }
        for (KeyValue kv : r.attributes()) {
          if (keys.add(kv.getKey())) {
            merged.add(kv);
          }
        }
        if (schemaUrl.isEmpty()) {
          schemaUrl = r.schemaUrl();
        }
      }
      return new Result(List.copyOf(merged), schemaUrl, complete);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Null when the detector failed for good (logged). */
  private Detected detectWithRetry(Detector d, long deadline) {
    long backoffMillis = 1000;
    int attempt = 0;
    DetectionException last;
    while (true) {
      attempt++;
      try {
        Detected r = d.detect(deadline);
        record(d, "success");
        return r;
      } catch (DetectionException e) {
        last = e;
        if (attempt == 1) {
          log.warning("[" + id + "] detector " + d.type() + " failed: " + e.getMessage()
              + (e.retryable() ? "; retrying until the timeout of " + timeout.toMillis() + " ms" : ""));
        } else {
          log.fine("[" + id + "] detector " + d.type() + " attempt " + attempt + " failed: "
              + e.getMessage());
        }
      } catch (RuntimeException e) {
        last = new DetectionException(e.toString(), false);
        log.log(Level.WARNING, "[" + id + "] detector " + d.type() + " failed", e);
      }
      long sleep = (long) (backoffMillis * (0.5 + ThreadLocalRandom.current().nextDouble()));
      if (!last.retryable() || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(sleep) >= deadline) {
        break;
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      backoffMillis *= 2;
    }
    log.warning("[" + id + "] detector " + d.type() + " gave up after " + attempt
        + (attempt == 1 ? " attempt" : " attempts") + " (" + last.getMessage()
        + "); continuing without its attributes");
    record(d, "failure");
    return null;
  }

  private void record(Detector d, String outcome) {
    Counter c = telemetry.counter("otelcol_processor_resourcedetection_detector_results",
        "Resource detection attempts by detector and outcome.", "processor", id, "detector", d.type(),
        "outcome", outcome);
    c.increment();
  }
}
