package dev.wharf.exporterhelper;

/**
 * A bounded queue of requests between the pipeline and an exporter's consumer threads. In memory by
 * default; persistent when {@code sending_queue.storage} names a {@link QueueStorage} extension.
 */
public interface SendingQueue<T> {

  /** Adds a request of {@code size} sizer units; false when full (or closed). Never blocks. */
  boolean offer(T request, long size);

  /** Adds a request, waiting for room while the queue is full; false when closed. */
  boolean put(T request, long size) throws InterruptedException;

  /** The oldest request, waiting up to {@code timeoutNanos}; null on timeout or when closed and empty. */
  Entry<T> poll(long timeoutNanos) throws InterruptedException;

  /** Sizer units held, including requests being sent. */
  long size();

  long capacity();

  /** True when what it holds survives a restart (then requests left at stop are not dropped). */
  boolean persistent();

  /** No more offers; poll keeps returning what is left. */
  void close();

  /** A request taken from the queue; exactly one of complete/abandon must be called. */
  interface Entry<T> {
    T request();

    /** Done with it (sent, or given up for good): frees its room and forgets it. */
    void complete();

    /** Not sent because the service stops: a persistent queue keeps it for the next start. */
    void abandon();
  }
}
