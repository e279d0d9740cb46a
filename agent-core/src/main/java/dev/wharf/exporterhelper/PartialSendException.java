package dev.wharf.exporterhelper;

import dev.wharf.pipeline.RefusedException;

/**
 * The backend took part of a request. {@code remaining} (same type as the request, may be null) is
 * what should be tried again if {@code cause} is retryable; {@code droppedItems} were rejected for
 * good and are counted as failed (e.g. OTLP partial_success rejected_spans, X-Ray
 * UnprocessedTraceSegments with a non-retryable error code).
 */
public final class PartialSendException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Object remaining;
  private final long droppedItems;
  private final RefusedException cause;

  public PartialSendException(Object remaining, long droppedItems, RefusedException cause) {
    super(cause.getMessage(), cause, false, false);
    this.remaining = remaining;
    this.droppedItems = droppedItems;
    this.cause = cause;
  }

  /** What to retry (null or empty: nothing). */
  public Object remaining() {
    return remaining;
  }

  public long droppedItems() {
    return droppedItems;
  }

  public RefusedException refusal() {
    return cause;
  }
}
