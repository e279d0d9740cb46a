package dev.wharf.processor.batch;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.config.GoDuration;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code batch} processor. {@link #consume} only appends the request to the pending batch
 * under one lock (no copy, no per-item work besides counting) and returns; one thread per processor
 * instance concatenates the pending requests ({@link Signal#concat}, sharing every span), splits
 * them at {@code send_batch_max_size}, and hands them to the next consumer, so a slow exporter never
 * blocks a receiver thread.
 *
 * <p>A batch is sent when it holds {@code send_batch_size} items, or {@code timeout} after its first
 * item arrived (or after the last size-triggered send left a remainder). With {@code timeout: 0}
 * every request is sent as soon as the thread gets to it. What the next consumer refuses is dropped,
 * logged and counted ({@code otelcol_processor_dropped_*}), as upstream.
 *
 * <p>Memory is bounded: when more than {@link #pendingLimit} items wait (the next consumer is slower
 * than the input), new data is refused with a retryable {@code UNAVAILABLE} instead of piling up.
 */
final class BatchProcessor<T extends Message> implements Processor<T> {
  /** Upstream's bucket boundaries for {@code otelcol_processor_batch_batch_send_size}. */
  private static final double[] SEND_SIZE_BUCKETS = {
    10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
    10000, 20000, 30000, 50000, 100000
  };

  /** How many times the largest batch may wait before new data is refused. */
  static final int PENDING_BATCHES = 4;

  private enum Trigger { SIZE, TIMEOUT }

  private final ComponentContext context;
  private final Signal<T> signal;
  private final TelemetryConsumer<T> next;
  private final int sendBatchSize;
  private final int sendBatchMaxSize;
  private final long timeoutNanos;
  private final long pendingLimit;
  private final Logger log;

  private final DistributionSummary sendSize;
  private final Counter sizeTrigger;
  private final Counter timeoutTrigger;
  private final Counter dropped;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  // Guarded by lock.
  private ArrayList<T> pending = new ArrayList<>();
  private long pendingItems;
  private long deadlineNanos;
  private boolean stopping;
  private boolean refusing;

  private Thread sender;

  BatchProcessor(ComponentContext context, BatchConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    this(context, config, signal, next, defaultPendingLimit(config));
  }

  BatchProcessor(ComponentContext context, BatchConfig config, Signal<T> signal, TelemetryConsumer<T> next,
      long pendingLimit) {
    this.context = context;
    this.signal = signal;
    this.next = next;
    this.sendBatchSize = config.sendBatchSize();
    this.sendBatchMaxSize = config.sendBatchMaxSize();
    // As upstream: no timer when either is zero, then every request is sent at once.
    this.timeoutNanos = config.sendBatchSize() == 0 ? 0 : config.timeout().toNanos();
    this.pendingLimit = pendingLimit;
    this.log = context.logger();
    String id = context.id().toString();
    var registry = context.telemetry().registry();
    this.sendSize = DistributionSummary.builder("otelcol_processor_batch_batch_send_size")
        .description("Number of units in the batch")
        .baseUnit("{units}")
        .tags("processor", id)
        .serviceLevelObjectives(SEND_SIZE_BUCKETS)
        .register(registry);
    this.sizeTrigger = context.telemetry().counter("otelcol_processor_batch_batch_size_trigger_send",
        "Number of times the batch was sent due to a size trigger", "processor", id);
    this.timeoutTrigger = context.telemetry().counter("otelcol_processor_batch_timeout_trigger_send",
        "Number of times the batch was sent due to a timeout trigger", "processor", id);
    context.telemetry().gauge("otelcol_processor_batch_metadata_cardinality",
        "Number of distinct metadata value combinations being processed", () -> 1, "processor", id);
    this.dropped = context.telemetry().processorDropped(context.id(), signal);
    if (!config.metadataKeys().isEmpty()) {
      log.info(() -> "metadata_keys " + config.metadataKeys() + " are accepted, but Wharf receivers do not pass"
          + " client metadata down the pipeline yet: all data of this pipeline is batched together");
    }
  }

  /** {@value #PENDING_BATCHES} times the largest batch this processor sends, at least 8192 items. */
  static long defaultPendingLimit(BatchConfig c) {
    long unit = Math.max(Math.max(c.sendBatchSize(), c.sendBatchMaxSize()), 8192);
    return PENDING_BATCHES * unit;
  }

  @Override
  public void start(Host host) {
    lock.lock();
    try {
      if (sender != null) {
        return;
      }
      sender = new Thread(null, this::run, "wharf-batch-" + context.id() + "-" + signal.id(), 256 * 1024);
      sender.setDaemon(true);
      sender.start();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void consume(T data) {
    int items = signal.itemCount(data);
    if (items == 0) {
      return; // as upstream: nothing to count, nothing to send
    }
    lock.lock();
    try {
      if (stopping) {
        throw RefusedException.unavailable("batch processor " + context.id() + " is shutting down");
      }
      if (pendingItems > 0 && pendingItems + items > pendingLimit) {
        if (!refusing) {
          refusing = true;
          log.warning(() -> "The next consumer is slower than the input: " + pendingItems + " " + signal.itemName()
              + " are waiting; refusing new data until they are sent");
        }
        throw RefusedException.unavailable("batch processor " + context.id() + " has too much data waiting");
      }
      boolean wasEmpty = pendingItems == 0;
      pending.add(data);
      pendingItems += items;
      if (timeoutNanos == 0 || pendingItems >= sendBatchSize) {
        wake.signal();
      } else if (wasEmpty) {
        deadlineNanos = System.nanoTime() + timeoutNanos;
        wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    while (true) {
      ArrayList<T> taken;
      long takenItems;
      Trigger trigger;
      boolean last;
      lock.lock();
      try {
        while (true) {
          if (pendingItems > 0) {
            if (timeoutNanos == 0 || pendingItems >= sendBatchSize) {
              trigger = Trigger.SIZE;
              break;
            }
            long wait = deadlineNanos - System.nanoTime();
            if (wait <= 0 || stopping) {
              trigger = Trigger.TIMEOUT;
              break;
            }
            wake.awaitNanos(wait);
          } else {
            if (stopping) {
              return;
            }
            refusing = false;
            wake.await();
          }
        }
        taken = pending;
        takenItems = pendingItems;
        pending = new ArrayList<>();
        pendingItems = 0;
        last = stopping;
      } catch (InterruptedException e) {
        return; // shutdown gave up waiting; what is left is counted there
      } finally {
        lock.unlock();
      }
      sendAll(taken, takenItems, trigger, last);
    }
  }

  private void sendAll(ArrayList<T> taken, long takenItems, Trigger trigger, boolean last) {
    T batch = signal.concat(taken);
    long items = takenItems;
    if (sendBatchMaxSize > 0) {
      while (items > sendBatchMaxSize) {
        Splitter.Parts<T> parts = Splitter.split(signal, batch, sendBatchMaxSize);
        send(parts.head(), sendBatchMaxSize, trigger);
        batch = parts.tail();
        items -= sendBatchMaxSize;
      }
    }
    if (trigger == Trigger.SIZE && timeoutNanos > 0 && items < sendBatchSize && !last) {
      // The rest of a split is not a full batch: it waits for more data or the timeout, as upstream.
      lock.lock();
      try {
        pending.add(0, batch);
        pendingItems += items;
        deadlineNanos = System.nanoTime() + timeoutNanos;
      } finally {
        lock.unlock();
      }
      return;
    }
    send(batch, items, trigger);
  }

  private void send(T batch, long items, Trigger trigger) {
    try {
      next.consume(batch);
    } catch (RefusedException e) {
      drop(items, e.getMessage(), null);
      return;
    } catch (RuntimeException e) {
      drop(items, String.valueOf(e), e);
      return;
    }
    sendSize.record(items);
    (trigger == Trigger.SIZE ? sizeTrigger : timeoutTrigger).increment();
  }

  private void drop(long items, String why, Throwable cause) {
    dropped.increment(items);
    log.log(Level.WARNING, "Sender failed. Dropped " + items + " " + signal.itemName() + ": " + why, cause);
  }

  /** Items waiting to be sent (for tests and the benchmarks). */
  long pendingItems() {
    lock.lock();
    try {
      return pendingItems;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void shutdown(long deadlineNanos) {
    Thread t;
    lock.lock();
    try {
      if (stopping) {
        return;
      }
      stopping = true;
      wake.signalAll();
      t = sender;
    } finally {
      lock.unlock();
    }
    if (t == null) {
      // Never started: flush on the caller's thread.
      ArrayList<T> taken;
      long items;
      lock.lock();
      try {
        taken = pending;
        items = pendingItems;
        pending = new ArrayList<>();
        pendingItems = 0;
      } finally {
        lock.unlock();
      }
      if (items > 0) {
        sendAll(taken, items, Trigger.TIMEOUT, true);
      }
      return;
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      if (left > 0) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
      if (t.isAlive()) {
        t.interrupt();
        t.join(1000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long lost;
    lock.lock();
    try {
      lost = pendingItems;
      pending = new ArrayList<>();
      pendingItems = 0;
    } finally {
      lock.unlock();
    }
    if (lost > 0) {
      drop(lost, "the shutdown deadline passed before they could be sent", null);
    }
  }

  @Override
  public String toString() {
    return "batch processor " + context.id() + " (" + signal + ", send_batch_size " + sendBatchSize
        + ", send_batch_max_size " + sendBatchMaxSize + ", timeout "
        + GoDuration.format(java.time.Duration.ofNanos(timeoutNanos)) + ")";
  }
}
