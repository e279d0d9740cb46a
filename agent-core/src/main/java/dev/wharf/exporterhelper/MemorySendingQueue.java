package dev.wharf.exporterhelper;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory sending queue: bounded by {@code capacity} sizer units, counting a request's units
 * until its entry completes (so requests being sent or retried still hold their room).
 */
public final class MemorySendingQueue<T> implements SendingQueue<T> {
  private final long capacity;
  private final ArrayDeque<Item<T>> items = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private long used;
  private boolean closed;

  public MemorySendingQueue(long capacity) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
  }

  @Override
  public boolean offer(T request, long size) {
    lock.lock();
    try {
      if (closed || !fits(size)) {
        return false;
      }
      add(request, size);
      return true;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean put(T request, long size) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (!closed && !fits(size)) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      add(request, size);
      return true;
    } finally {
      lock.unlock();
    }
  }

  // A request larger than the whole queue is still taken when the queue is empty, else it could
  // never be sent; the queue is then over capacity until it completes.
  private boolean fits(long size) {
    return used + size <= capacity || used == 0;
  }

  private void add(T request, long size) {
    items.addLast(new Item<>(this, request, size));
    used += size;
    notEmpty.signal();
  }

  @Override
  public Entry<T> poll(long timeoutNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long nanos = timeoutNanos;
      while (items.isEmpty()) {
        if (closed || nanos <= 0) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      return items.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  void release(long size) {
    lock.lock();
    try {
      used -= size;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long size() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  /** Requests waiting (not yet taken by a consumer). */
  public int waiting() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until the queue is empty or {@code timeout} passes. */
  boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      if (size() == 0) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(5);
    }
  }

  private static final class Item<T> implements Entry<T> {
    private final MemorySendingQueue<T> queue;
    private final T request;
    private final long size;
    private boolean done;

    Item(MemorySendingQueue<T> queue, T request, long size) {
      this.queue = queue;
      this.request = request;
      this.size = size;
    }

    @Override
    public T request() {
      return request;
    }

    @Override
    public void complete() {
      finish();
    }

    @Override
    public void abandon() {
      finish();
    }

    private void finish() {
      if (!done) {
        done = true;
        queue.release(size);
      }
    }
  }
}
