package dev.wharf.exporterhelper;

import com.google.protobuf.Message;
import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.Host;
import dev.wharf.config.GoDuration;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry.ExporterMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every network exporter is an ExporterHelper around a {@link RequestSender}: the pipeline hands
 * data to {@link #consume}, which puts it on the bounded {@code sending_queue} (refusing, retryably,
 * when full) and returns at once; {@code num_consumers} threads take requests off the queue and
 * send them with {@code retry_on_failure} (exponential backoff with jitter, server-given delays
 * honoured, permanent errors not retried) and a per-attempt {@code timeout}. With the queue
 * disabled the caller's thread sends and retries, and a final failure is thrown back to it.
 *
 * <p>Self-metrics (upstream names): {@code otelcol_exporter_sent_*}, {@code _send_failed_*},
 * {@code _enqueue_failed_*}, {@code otelcol_exporter_queue_size}, {@code _queue_capacity}.
 */
public final class ExporterHelper<T extends Message> implements Exporter<T> {
  private final ComponentContext context;
  private final Signal<T> signal;
  private final ExporterSettings settings;
  private final RequestSender<T> sender;
  private final Component senderLifecycle;
  private final RetryClock clock;
  private final DoubleSupplier random;
  private final ExporterMetrics metrics;
  private final Logger log;
  private final AtomicLong dropped = new AtomicLong();

  private volatile SendingQueue<Object> queue;
  private final List<Thread> consumers = new ArrayList<>();
  private volatile long stopDeadlineNanos = Long.MAX_VALUE;
  private volatile boolean stopping;

  private ExporterHelper(Builder<T> b) {
    this.context = b.context;
    this.signal = b.signal;
    this.settings = b.settings;
    this.sender = b.sender;
    this.senderLifecycle = b.senderLifecycle;
    this.clock = b.clock;
    this.random = b.random;
    this.metrics = context.telemetry().exporter(context.id(), signal);
    this.log = context.logger();
  }

  public static <T extends Message> Builder<T> builder(
      ComponentContext context, Signal<T> signal, ExporterSettings settings, RequestSender<T> sender) {
    return new Builder<>(context, signal, settings, sender);
  }

  @Override
  public void start(Host host) throws Exception {
    if (senderLifecycle != null) {
      senderLifecycle.start(host);
    }
    QueueSettings q = settings.queue();
    if (!q.enabled()) {
      return;
    }
    if (q.storage() != null) {
      Optional<Component> ext = host.extension(q.storage());
      if (ext.isEmpty() || !(ext.get() instanceof QueueStorage)) {
        throw new IllegalStateException("exporters." + context.id() + ".sending_queue.storage: '"
            + q.storage() + "' is not a storage extension listed in service.extensions");
      }
      SendingQueue<T> opened = ((QueueStorage) ext.get())
          .openQueue(context.id() + "-" + signal.id(), signal, q);
      queue = cast(opened);
    } else {
      queue = new MemorySendingQueue<>(q.queueSize());
    }
    String[] labels = {"exporter", context.id().toString(), "data_type", signal.id()};
    context.telemetry().gauge("otelcol_exporter_queue_size",
        "Current size of the retry queue (in " + q.sizer().name().toLowerCase(java.util.Locale.ROOT) + ").",
        () -> queue.size(), labels);
    context.telemetry().gauge("otelcol_exporter_queue_capacity",
        "Fixed capacity of the retry queue.", () -> queue.capacity(), labels);
    for (int i = 0; i < q.numConsumers(); i++) {
      Thread t = new Thread(null, this::consumeLoop,
          "wharf-exporter-" + context.id() + "-" + signal.id() + "-" + i, 256 * 1024);
      t.setDaemon(true);
      consumers.add(t);
      t.start();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> SendingQueue<Object> cast(SendingQueue<T> q) {
    return (SendingQueue<Object>) q;
  }

  @Override
  public void consume(T data) {
    long items = signal.itemCount(data);
    if (items == 0 && signal.resourceCount(data) == 0) {
      return;
    }
    SendingQueue<Object> q = queue;
    if (q == null) {
      if (settings.queue().enabled()) {
        metrics.enqueueFailed(items);
        throw RefusedException.unavailable("exporter " + context.id() + " is not running");
      }
      RefusedException failure = sendWithRetry(data, items);
      if (failure != null) {
        throw failure;
      }
      return;
    }
    long size = sizeOf(data, items);
    Object request = data;
    CompletableFuture<RefusedException> result = null;
    if (settings.queue().waitForResult()) {
      result = new CompletableFuture<>();
      request = new Waiting(data, result);
    }
    boolean added;
    if (stopping) {
      added = false;
    } else if (settings.queue().blockOnOverflow()) {
      try {
        added = q.put(request, size);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        added = false;
      }
    } else {
      added = q.offer(request, size);
    }
    if (!added) {
      metrics.enqueueFailed(items);
      throw RefusedException.unavailable(stopping
          ? "exporter " + context.id() + " is shutting down"
          : "sending queue of exporter " + context.id() + " is full");
    }
    if (result != null) {
      try {
        RefusedException failure = result.get();
        if (failure != null) {
          throw failure;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RefusedException.unavailable("interrupted while waiting for the export result");
      } catch (ExecutionException e) {
        throw RefusedException.unavailable("export failed: " + e.getCause());
      }
    }
  }

  private long sizeOf(T data, long items) {
    switch (settings.queue().sizer()) {
      case ITEMS:
        return items;
      case BYTES:
        return data.getSerializedSize();
      default:
        return 1;
    }
  }

  /** A request whose producer waits for the outcome ({@code wait_for_result}). */
  private record Waiting(Object data, CompletableFuture<RefusedException> result) {}

  private void consumeLoop() {
    SendingQueue<Object> q = queue;
    while (true) {
      SendingQueue.Entry<Object> entry;
      try {
        entry = q.poll(100_000_000L);
      } catch (InterruptedException e) {
        return;
      }
      if (entry == null) {
        if (stopping && q.size() == 0) {
          return;
        }
        if (stopping && System.nanoTime() >= stopDeadlineNanos) {
          return;
        }
        continue;
      }
      Object request = entry.request();
      CompletableFuture<RefusedException> result = null;
      if (request instanceof Waiting w) {
        request = w.data();
        result = w.result();
      }
      T data = signal.cast(request);
      long items = signal.itemCount(data);
      RefusedException failure;
      try {
        failure = sendWithRetry(data, items);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Error e) {
        // A broken sender must not silently kill this consumer and stall the queue: drop, count, go on.
        failure = fail(RefusedException.permanent("exporter failed: " + e, e), items, "unexpected error");
        log.log(Level.SEVERE, "Exporter " + context.id() + " failed unexpectedly", e);
      } catch (Abandoned a) {
        // The service is stopping: a persistent queue keeps the request for the next start.
        entry.abandon();
        if (!q.persistent()) {
          countDropped(items, "the shutdown deadline passed while retrying");
        }
        if (result != null) {
          result.complete(RefusedException.unavailable("exporter is shutting down"));
        }
        continue;
      }
      entry.complete();
      if (result != null) {
        result.complete(failure);
      }
    }
  }

  /** Thrown inside the retry loop when stopping leaves no time for the next attempt. */
  private static final class Abandoned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Abandoned() {
      super(null, null, false, false);
    }
  }

  /**
   * Sends with retries; returns null when everything was sent (or partly dropped for good, which is
   * counted), else the final refusal (already counted as send_failed).
   */
  RefusedException sendWithRetry(T data, long items) {
    RetrySettings retry = settings.retry();
    long start = clock.nanoTime();
    Duration interval = retry.initialInterval();
    T current = data;
    long currentItems = items;
    while (true) {
      RefusedException refusal;
      try {
        sender.send(current, settings.timeout());
        metrics.sent(currentItems);
        return null;
      } catch (PartialSendException p) {
        T rest = p.remaining() == null ? null : signal.cast(p.remaining());
        long restItems = rest == null ? 0 : signal.itemCount(rest);
        long sentItems = currentItems - restItems - p.droppedItems();
        if (sentItems > 0) {
          metrics.sent(sentItems);
        }
        if (p.droppedItems() > 0) {
          metrics.sendFailed(p.droppedItems());
          log.warning(() -> "Exporting failed for part of the data. Dropped " + p.droppedItems() + " "
              + signal.itemName() + ": " + p.getMessage());
        }
        if (rest == null || restItems == 0) {
          return null;
        }
        current = rest;
        currentItems = restItems;
        refusal = p.refusal();
      } catch (RefusedException e) {
        refusal = e;
      } catch (RuntimeException e) {
        refusal = new RefusedException(RefusedException.Reason.UNAVAILABLE, String.valueOf(e), null, e);
      }
      if (!refusal.retryable() || !retry.enabled()) {
        return fail(refusal, currentItems, refusal.retryable() ? "retry is disabled" : "not retryable");
      }
      Duration backoff = jitter(interval, retry.randomizationFactor());
      if (refusal.retryAfter().isPresent() && refusal.retryAfter().get().compareTo(backoff) > 0) {
        backoff = refusal.retryAfter().get();
      }
      long now = clock.nanoTime();
      if (!retry.maxElapsedTime().isZero()
          && now - start + backoff.toNanos() > retry.maxElapsedTime().toNanos()) {
        return fail(refusal, currentItems, "no more retries left (max_elapsed_time "
            + GoDuration.format(retry.maxElapsedTime()) + ")");
      }
      if (stopping && now + backoff.toNanos() > stopDeadlineNanos) {
        if (queue != null) {
          throw new Abandoned();
        }
        return fail(refusal, currentItems, "the service is stopping");
      }
      final Duration wait = backoff;
      final RefusedException why = refusal;
      log.fine(() -> "Exporting failed. Will retry the request after interval " + GoDuration.format(wait)
          + ": " + why.getMessage());
      try {
        clock.sleep(backoff);
      } catch (InterruptedException e) {
        if (queue != null) {
          throw new Abandoned();
        }
        Thread.currentThread().interrupt();
        return fail(refusal, currentItems, "interrupted");
      }
      double next = interval.toNanos() * retry.multiplier();
      interval = next >= retry.maxInterval().toNanos() ? retry.maxInterval() : Duration.ofNanos((long) next);
    }
  }

  private RefusedException fail(RefusedException refusal, long items, String why) {
    metrics.sendFailed(items);
    log.log(Level.WARNING, "Exporting failed. Dropping data (" + why + "). Dropped " + items + " "
        + signal.itemName() + ": " + refusal.getMessage());
    return refusal;
  }

  private Duration jitter(Duration interval, double factor) {
    if (factor == 0) {
      return interval;
    }
    double delta = factor * interval.toNanos();
    double min = interval.toNanos() - delta;
    double max = interval.toNanos() + delta;
    return Duration.ofNanos((long) (min + random.getAsDouble() * (max - min)));
  }

  private void countDropped(long items, String why) {
    dropped.addAndGet(items);
    metrics.sendFailed(items);
    log.warning(() -> "Dropped " + items + " " + signal.itemName() + " of exporter " + context.id() + ": " + why);
  }

  /** Items given up at shutdown (not counting those kept by a persistent queue). */
  public long droppedAtShutdown() {
    return dropped.get();
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (stopping) {
      return;
    }
    stopDeadlineNanos = deadlineNanos;
    stopping = true;
    SendingQueue<Object> q = queue;
    if (q != null) {
      q.close();
      for (Thread t : consumers) {
        long left = deadlineNanos - System.nanoTime();
        try {
          if (left > 0) {
            t.join(Math.max(1, left / 1_000_000));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      for (Thread t : consumers) {
        t.interrupt();
      }
      for (Thread t : consumers) {
        try {
          t.join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      // Whatever no consumer took before the deadline.
      long left = 0;
      try {
        SendingQueue.Entry<Object> e;
        while ((e = q.poll(0)) != null) {
          Object r = e.request();
          if (r instanceof Waiting w) {
            r = w.data();
            w.result().complete(RefusedException.unavailable("exporter is shutting down"));
          }
          left += signal.itemCount(signal.cast(r));
          e.abandon();
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      if (left > 0) {
        if (q.persistent()) {
          final long kept = left;
          log.info(() -> kept + " " + signal.itemName() + " stay in the persistent queue of exporter "
              + context.id() + " and are sent after the next start");
        } else {
          countDropped(left, "the shutdown deadline passed before they could be sent");
        }
      }
    }
    if (senderLifecycle != null) {
      senderLifecycle.shutdown(deadlineNanos);
    }
  }

  /** Builds an {@link ExporterHelper}; only context, signal, settings and sender are required. */
  public static final class Builder<T extends Message> {
    private final ComponentContext context;
    private final Signal<T> signal;
    private final ExporterSettings settings;
    private final RequestSender<T> sender;
    private Component senderLifecycle;
    private RetryClock clock = RetryClock.SYSTEM;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder(ComponentContext context, Signal<T> signal, ExporterSettings settings, RequestSender<T> sender) {
      this.context = context;
      this.signal = signal;
      this.settings = settings;
      this.sender = sender;
    }

    /** Started before the queue and shut down after it drains (e.g. a gRPC channel). */
    public Builder<T> lifecycle(Component senderLifecycle) {
      this.senderLifecycle = senderLifecycle;
      return this;
    }

    public Builder<T> clock(RetryClock clock) {
      this.clock = clock;
      return this;
    }

    /** Source of uniform [0,1) values for jitter. */
    public Builder<T> random(DoubleSupplier random) {
      this.random = random;
      return this;
    }

    public ExporterHelper<T> build() {
      return new ExporterHelper<>(this);
    }
  }
}
