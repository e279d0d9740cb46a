package dev.wharf.config;

import java.time.Duration;

/**
 * Durations written as the upstream collector writes them (Go's {@code time.ParseDuration}):
 * {@code 200ms}, {@code 1s}, {@code 5m}, {@code 1h30m}, {@code 1.5s}, {@code 300us}, {@code 0}.
 */
public final class GoDuration {
  private GoDuration() {}

  /** Parses {@code text}; throws IllegalArgumentException saying what was expected. */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException(expected(text));
    }
    boolean negative = false;
    int i = 0;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i = 1;
    }
    if (s.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    if (i >= s.length()) {
      throw new IllegalArgumentException(expected(text));
    }
    double totalNanos = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      if (start == i) {
        throw new IllegalArgumentException(expected(text));
      }
      double value;
      try {
        value = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(expected(text));
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      double nanosPerUnit;
      switch (unit) {
        case "ns":
          nanosPerUnit = 1;
          break;
        case "us":
        case "µs":
        case "μs":
          nanosPerUnit = 1e3;
          break;
        case "ms":
          nanosPerUnit = 1e6;
          break;
        case "s":
          nanosPerUnit = 1e9;
          break;
        case "m":
          nanosPerUnit = 60e9;
          break;
        case "h":
          nanosPerUnit = 3600e9;
          break;
        default:
          throw new IllegalArgumentException(expected(text));
      }
      totalNanos += value * nanosPerUnit;
    }
    if (totalNanos > Long.MAX_VALUE) {
      throw new IllegalArgumentException("duration '" + text + "' is too large");
    }
    long nanos = Math.round(totalNanos);
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Formats as Go does for the common cases ({@code 1m30s}, {@code 200ms}). */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    if (nanos % 1_000_000_000L != 0 && Math.abs(nanos) < 1_000_000_000L) {
      if (nanos % 1_000_000 == 0) {
        return nanos / 1_000_000 + "ms";
      }
      if (nanos % 1_000 == 0) {
        return nanos / 1_000 + "us";
      }
      return nanos + "ns";
    }
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    long m = d.toMinutesPart();
    double s = d.toSecondsPart() + d.toNanosPart() / 1e9;
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      sb.append(m).append('m');
    }
    if (s == Math.rint(s)) {
      sb.append((long) s).append('s');
    } else {
      sb.append(s).append('s');
    }
    return sb.toString();
  }

  private static String expected(String text) {
    return "expected a duration such as 200ms, 1s, 5m or 1h30m, got '" + text + "'";
  }
}
