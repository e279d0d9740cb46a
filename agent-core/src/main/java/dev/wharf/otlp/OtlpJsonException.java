package dev.wharf.otlp;

import java.io.IOException;

/**
 * OTLP/JSON input that cannot be decoded. The message names the JSON path of the bad value, e.g.
 * {@code resourceSpans[0].scopeSpans[0].spans[2].traceId: expected 32 hex digits}.
 */
public final class OtlpJsonException extends IOException {
  private static final long serialVersionUID = 1L;

  public OtlpJsonException(String message) {
    super(message);
  }

  public OtlpJsonException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The same problem, one level further out in the document. */
  OtlpJsonException under(String pathElement) {
    String m = getMessage();
    String joined = m.startsWith("[") || m.startsWith(": ") ? pathElement + m : pathElement + "." + m;
    OtlpJsonException e = new OtlpJsonException(joined, getCause());
    e.setStackTrace(getStackTrace());
    return e;
  }
}
