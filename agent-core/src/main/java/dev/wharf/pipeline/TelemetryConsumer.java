package dev.wharf.pipeline;

/**
 * Where a pipeline stage hands data on. A consumer either takes the data (it is then responsible for
 * it) or throws {@link RefusedException}, which says whether a retry can succeed. Implementations
 * must not block the caller on network I/O: batching and the sending queue decouple that.
 *
 * <p>One generic interface serves all three signals so that fan-out, batching, the sending queue and
 * self-metrics have a single implementation each ({@link Signal} carries the per-signal parts).
 */
@FunctionalInterface
public interface TelemetryConsumer<T> {

  /**
   * Takes {@code data}.
   *
   * @throws RefusedException when the data is not taken; nothing of it was kept
   */
  void consume(T data);
}
