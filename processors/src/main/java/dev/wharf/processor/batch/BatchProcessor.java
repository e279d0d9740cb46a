package dev.wharf.processor.batch;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.config.GoDuration;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.Counter;
import dev.wharf.telemetry.Histogram;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code batch} processor. {@link #consume} only pushes the request onto a lock-free stack (no
 * lock, no copy, no per-item work besides counting) and returns; one thread per processor
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

  private final Histogram sendSize;
  private final Counter sizeTrigger;
  private final Counter timeoutTrigger;
  private final Counter dropped;

  /** A request waiting to be batched; producers push these onto a lock-free stack. */
  private static final class Node<T> {
    final T data;
    final int items;
    Node<T> next;

    Node(T data, int items) {
      this.data = data;
      this.items = items;
    }
  }

  private final AtomicReference<Node<T>> top = new AtomicReference<>();
  /** Items pushed and not yet sent, including the sender's carried remainder. */
  private final AtomicLong pendingItems = new AtomicLong();
  private volatile long deadlineNanos;
  private volatile boolean stopping;
  // Sender thread only: the remainder of a split that waits for more data.
  private final ArrayList<T> carry = new ArrayList<>();
  private long carryItems;

  private final AtomicLong refusedSinceLog = new AtomicLong();
  private volatile long lastRefusalLogNanos;

  private volatile Thread sender;

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
    this.sendSize = context.telemetry().histogram("otelcol_processor_batch_batch_send_size",
        "Number of units in the batch", SEND_SIZE_BUCKETS, "processor", id);
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
  public synchronized void start(Host host) {
    if (sender != null || stopping) {
      return;
    }
    Thread t = new Thread(null, this::run, "wharf-batch-" + context.id() + "-" + signal.id(), 256 * 1024);
    t.setDaemon(true);
    sender = t;
    t.start();
  }

  /**
   * Takes the request: one push onto a lock-free stack and one atomic add, no lock; the sender
   * thread is woken only when the batch becomes non-empty or full.
   */
  @Override
  public void consume(T data) {
    int items = signal.itemCount(data);
    if (items == 0) {
      return; // as upstream: nothing to count, nothing to send
    }
    if (stopping) {
      throw RefusedException.unavailable("batch processor " + context.id() + " is shutting down");
    }
    long waiting = pendingItems.get();
    if (waiting > 0 && waiting + items > pendingLimit) {
      refused(waiting);
      throw RefusedException.unavailable("batch processor " + context.id() + " has too much data waiting");
    }
    if (waiting <= 0 && timeoutNanos > 0) {
      deadlineNanos = System.nanoTime() + timeoutNanos;
    }
    Node<T> n = new Node<>(data, items);
    Node<T> head;
    do {
      head = top.get();
      n.next = head;
    } while (!top.compareAndSet(head, n));
    long before = pendingItems.getAndAdd(items);
    if (timeoutNanos == 0 || before <= 0 || (before < sendBatchSize && before + items >= sendBatchSize)) {
      Thread t = sender;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  // Logged at most every 10 seconds, with how many requests were refused meanwhile.
  private void refused(long waiting) {
    long n = refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastRefusalLogNanos > 10_000_000_000L) {
      lastRefusalLogNanos = now;
      refusedSinceLog.addAndGet(-n);
      log.warning(() -> "The next consumer is slower than the input: " + waiting + " " + signal.itemName()
          + " are waiting; refused " + n + " requests (retryable) since the last report");
    }
  }

  private void run() {
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        return; // shutdown gave up waiting: what is left is counted as dropped there
      }
      boolean nothing = carry.isEmpty() && top.get() == null;
      if (nothing) {
        if (stopping) {
          return;
        }
        LockSupport.park(this);
        continue;
      }
      Trigger trigger;
      long waiting = pendingItems.get();
      if (timeoutNanos == 0 || waiting >= sendBatchSize) {
        trigger = Trigger.SIZE;
      } else if (stopping) {
        trigger = Trigger.TIMEOUT;
      } else {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(this, wait);
          continue;
        }
        trigger = Trigger.TIMEOUT;
      }
      ArrayList<T> taken = new ArrayList<>(carry);
      long takenItems = carryItems;
      carry.clear();
      carryItems = 0;
      Node<T> n = top.getAndSet(null);
      int start = taken.size();
      for (; n != null; n = n.next) {
        taken.add(n.data);
        takenItems += n.items;
      }
      java.util.Collections.reverse(taken.subList(start, taken.size())); // the stack is newest first
      if (takenItems > 0) {
        sendAll(taken, takenItems, trigger, stopping);
      }
    }
  }

  private void sendAll(ArrayList<T> taken, long takenItems, Trigger trigger, boolean last) {
    T batch = signal.concat(taken);
    long items = takenItems;
    if (sendBatchMaxSize > 0) {
      while (items > sendBatchMaxSize) {
        Splitter.Parts<T> parts = Splitter.split(signal, batch, sendBatchMaxSize);
        send(parts.head(), sendBatchMaxSize, trigger);
        pendingItems.addAndGet(-sendBatchMaxSize);
        batch = parts.tail();
        items -= sendBatchMaxSize;
      }
    }
    if (trigger == Trigger.SIZE && timeoutNanos > 0 && items < sendBatchSize && !last) {
      // The rest of a split is not a full batch: it waits for more data or the timeout, as upstream.
      carry.add(batch);
      carryItems = items;
      deadlineNanos = System.nanoTime() + timeoutNanos;
      return;
    }
    send(batch, items, trigger);
    pendingItems.addAndGet(-items);
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
    return Math.max(0, pendingItems.get());
  }

  @Override
  public void shutdown(long deadlineNanos) {
    Thread t;
    synchronized (this) {
      if (stopping) {
        return;
      }
      stopping = true;
      t = sender;
    }
    if (t != null) {
      LockSupport.unpark(t);
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
    }
    if (t == null || !t.isAlive()) {
      // Never started, or a producer slipped in after the sender's last look: flush here.
      ArrayList<T> taken = new ArrayList<>();
      long items = 0;
      if (t == null || !carry.isEmpty()) {
        taken.addAll(carry);
        items += carryItems;
        carry.clear();
        carryItems = 0;
      }
      Node<T> n = top.getAndSet(null);
      int start = taken.size();
      for (; n != null; n = n.next) {
        taken.add(n.data);
        items += n.items;
      }
      java.util.Collections.reverse(taken.subList(start, taken.size()));
      if (items > 0) {
        sendAll(taken, items, Trigger.TIMEOUT, true);
      }
      return;
    }
    long lost = Math.max(0, pendingItems.getAndSet(0));
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
