package dev.wharf.component;

/**
 * Lifecycle of every component. The service starts extensions, then exporters, processors and
 * receivers, and shuts them down in reverse order.
 */
public interface Component {

  /**
   * Opens ports, starts threads. Throwing aborts the start of the whole service with the message.
   */
  default void start(Host host) throws Exception {}

  /**
   * Stops taking data and releases resources. Processors flush what they hold to the next consumer
   * here; exporters drain their queue until {@code deadline} ({@link System#nanoTime()} based).
   * Must be idempotent and must not throw.
   */
  default void shutdown(long deadlineNanos) {}
}
