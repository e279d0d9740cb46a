package dev.wharf.testing;

import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** Keeps what it is given; can be told to refuse. Thread-safe. */
public final class RecordingConsumer<T extends com.google.protobuf.Message> implements TelemetryConsumer<T> {
  private final Signal<T> signal;
  private final List<T> received = new ArrayList<>();
  private final AtomicReference<RefusedException> refuseWith = new AtomicReference<>();

  public RecordingConsumer(Signal<T> signal) {
    this.signal = signal;
  }

  @Override
  public void consume(T data) {
    RefusedException r = refuseWith.get();
    if (r != null) {
      throw r;
    }
    synchronized (received) {
      received.add(data);
      received.notifyAll();
    }
  }

  /** Refuse every call with {@code e} from now on; null to accept again. */
  public void refuseWith(RefusedException e) {
    refuseWith.set(e);
  }

  public List<T> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** All received data concatenated into one message. */
  public T all() {
    List<T> r = received();
    return r.isEmpty() ? signal.empty() : signal.concat(r);
  }

  public int itemCount() {
    int n = 0;
    for (T t : received()) {
      n += signal.itemCount(t);
    }
    return n;
  }

  /** Waits until at least {@code items} items arrived; false on timeout. */
  public boolean awaitItems(int items, Duration timeout) throws InterruptedException {
    return await(() -> itemCount() >= items, timeout);
  }

  public static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
