package dev.wharf.pipeline;

import java.time.Duration;
import java.util.Optional;

/**
 * A consumer or a backend did not take data. Carries whether a retry can succeed and, where the
 * refusing side knows it, how long to wait first. Receivers turn it into the protocol's answer
 * (gRPC UNAVAILABLE / RESOURCE_EXHAUSTED / INVALID_ARGUMENT / INTERNAL, HTTP 503 / 429 / 400 / 500);
 * the exporter helper retries the retryable ones.
 *
 * <p>No stack trace is captured: refusals are control flow on the hot path, not bugs.
 */
public final class RefusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why data was refused; decides the protocol status and whether to retry. */
  public enum Reason {
    /** Temporarily unable (queue full, backend down, memory limiter soft limit): retry. */
    UNAVAILABLE(true),
    /** Throttled / rate limited: retry after the given delay. */
    RESOURCE_EXHAUSTED(true),
    /** The data itself is malformed or violates a limit: never retry. */
    INVALID_ARGUMENT(false),
    /** Any other permanent failure (auth, permission, 4xx): never retry. */
    PERMANENT(false);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Reason reason;
  private final Duration retryAfter;

  public RefusedException(Reason reason, String message, Duration retryAfter, Throwable cause) {
    super(message, cause, false, false);
    this.reason = reason;
    this.retryAfter = retryAfter;
  }

  public static RefusedException unavailable(String message) {
    return new RefusedException(Reason.UNAVAILABLE, message, null, null);
  }

  public static RefusedException unavailable(String message, Duration retryAfter) {
    return new RefusedException(Reason.UNAVAILABLE, message, retryAfter, null);
  }

  public static RefusedException resourceExhausted(String message, Duration retryAfter) {
    return new RefusedException(Reason.RESOURCE_EXHAUSTED, message, retryAfter, null);
  }

  public static RefusedException invalid(String message) {
    return new RefusedException(Reason.INVALID_ARGUMENT, message, null, null);
  }

  public static RefusedException permanent(String message) {
    return new RefusedException(Reason.PERMANENT, message, null, null);
  }

  public static RefusedException permanent(String message, Throwable cause) {
    return new RefusedException(Reason.PERMANENT, message, null, cause);
  }

  public Reason reason() {
    return reason;
  }

  public boolean retryable() {
    return reason.retryable();
  }

  /** The delay the refusing side asked for (Retry-After, gRPC RetryInfo), if it gave one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
