package dev.wharf.pipeline;

import java.util.List;

/**
 * Hands the same (immutable) data to several consumers: a receiver used by several pipelines, or a
 * pipeline with several exporters. Every branch is tried; if any refuses, the first refusal is
 * rethrown, retryable only if every refusing branch said so (as upstream's fanout consumer).
 */
public final class FanOutConsumer<T> implements TelemetryConsumer<T> {
  private final TelemetryConsumer<T>[] branches;

  @SuppressWarnings("unchecked")
  private FanOutConsumer(List<TelemetryConsumer<T>> branches) {
    this.branches = branches.toArray(new TelemetryConsumer[0]);
  }

  public static <T> TelemetryConsumer<T> of(List<TelemetryConsumer<T>> branches) {
    if (branches.isEmpty()) {
      throw new IllegalArgumentException("fan-out needs at least one consumer");
    }
    return branches.size() == 1 ? branches.get(0) : new FanOutConsumer<>(List.copyOf(branches));
  }

  @Override
  public void consume(T data) {
    RefusedException first = null;
    boolean permanent = false;
    for (TelemetryConsumer<T> c : branches) {
      try {
        c.consume(data);
      } catch (RefusedException e) {
        if (first == null) {
          first = e;
        }
        permanent |= !e.retryable();
      }
    }
    if (first != null) {
      if (permanent && first.retryable()) {
        throw RefusedException.permanent(first.getMessage());
      }
      throw first;
    }
  }
}
