package dev.wharf.receiver.otlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CORS for browser clients, as upstream's {@code confighttp.cors} (rs/cors): origins may contain
 * one {@code *} wildcard ({@code https://*.example.com}) or be {@code *} alone; the headers a
 * browser may send are the configured ones plus Origin, Accept, Content-Type and X-Requested-With
 * ({@code *} allows any); preflights are answered with 204.
 */
final class Cors {
  private static final List<String> ALWAYS_ALLOWED_HEADERS = List.of("origin", "accept", "content-type", "x-requested-with");

  private final boolean anyOrigin;
  private final List<String[]> originPatterns = new ArrayList<>();
  private final boolean anyHeader;
  private final List<String> allowedHeaders = new ArrayList<>(ALWAYS_ALLOWED_HEADERS);
  private final int maxAge;

  Cors(OtlpReceiverConfig.Cors config) {
    boolean any = false;
    for (String o : config.allowedOrigins()) {
      if (o.equals("*")) {
        any = true;
      }
      String lower = o.toLowerCase(Locale.ROOT);
      int star = lower.indexOf('*');
      originPatterns.add(star < 0 ? new String[] {lower} : new String[] {lower.substring(0, star), lower.substring(star + 1)});
    }
    anyOrigin = any;
    boolean anyH = false;
    for (String h : config.allowedHeaders()) {
      if (h.equals("*")) {
        anyH = true;
      }
      allowedHeaders.add(h.toLowerCase(Locale.ROOT));
    }
    anyHeader = anyH;
    maxAge = config.maxAge();
  }

  boolean originAllowed(String origin) {
    if (anyOrigin) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    for (String[] p : originPatterns) {
      if (p.length == 1 ? p[0].equals(o)
          : o.length() >= p[0].length() + p[1].length() && o.startsWith(p[0]) && o.endsWith(p[1])) {
        return true;
      }
    }
    return false;
  }

  /** Access-Control-Allow-Origin value for an allowed origin. */
  String allowOriginValue(String origin) {
    return anyOrigin ? "*" : origin;
  }

  /** Whether every header of a preflight's Access-Control-Request-Headers may be sent. */
  boolean headersAllowed(String requested) {
    if (requested == null || requested.isBlank() || anyHeader) {
      return true;
    }
    for (String h : requested.split(",")) {
      String name = h.trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty() && !allowedHeaders.contains(name)) {
        return false;
      }
    }
    return true;
  }

  int maxAge() {
    return maxAge;
  }
}
