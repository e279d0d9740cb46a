package dev.wharf.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code env} detector: {@code OTEL_RESOURCE_ATTRIBUTES} (or the deprecated {@code OTEL_RESOURCE}),
 * a comma-separated list of {@code key=value} pairs whose values are percent-encoded. Decoding is
 * upstream's ({@code url.QueryUnescape}): {@code %XX} sequences are decoded as UTF-8 bytes and
 * {@code +} becomes a space. A malformed list or escape fails the detector and sets nothing.
 */
final class EnvDetector implements Detector {
  static final String ENV = "OTEL_RESOURCE_ATTRIBUTES";
  static final String DEPRECATED_ENV = "OTEL_RESOURCE";

  private final Map<String, String> env;

  EnvDetector(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public String type() {
    return "env";
  }

  @Override
  public Detected detect(long deadlineNanos) throws DetectionException {
    String labels = trim(env.get(ENV));
    String source = ENV;
    if (labels.isEmpty()) {
      labels = trim(env.get(DEPRECATED_ENV));
      source = DEPRECATED_ENV;
      if (labels.isEmpty()) {
        return Detected.EMPTY;
      }
    }
    try {
      return new Detected(parse(labels), "");
    } catch (IllegalArgumentException e) {
      throw new DetectionException(source + ": " + e.getMessage(), false);
    }
  }

  /** Parses {@code k1=v1,k2=v2}; keys and values are trimmed, values percent-decoded. */
  static List<KeyValue> parse(String s) {
    List<KeyValue> out = new ArrayList<>();
    String[] pairs = s.split(",", -1);
    for (int i = 0; i < pairs.length; i++) {
      String pair = pairs[i];
      if (pair.isBlank() && i == pairs.length - 1 && i > 0) {
        break; // a trailing comma is accepted, as upstream's pattern allows
      }
      int eq = pair.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid resource format, expected key=value, got '" + pair.trim() + "'");
      }
      String key = pair.substring(0, eq).trim();
      if (key.isEmpty()) {
        throw new IllegalArgumentException("invalid resource format, empty key in '" + pair.trim() + "'");
      }
      String value = decode(pair.substring(eq + 1).trim(), pair.trim());
      int existing = indexOf(out, key);
      KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
      if (existing >= 0) {
        out.set(existing, kv); // the last occurrence wins, as a map put does
      } else {
        out.add(kv);
      }
    }
    return out;
  }

  private static int indexOf(List<KeyValue> l, String key) {
    for (int i = 0; i < l.size(); i++) {
      if (l.get(i).getKey().equals(key)) {
        return i;
      }
    }
    return -1;
  }

  /** Go's {@code url.QueryUnescape}. */
  static String decode(String v, String pair) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%') {
        if (i + 2 >= v.length() || hex(v.charAt(i + 1)) < 0 || hex(v.charAt(i + 2)) < 0) {
          throw new IllegalArgumentException("invalid URL escape in attribute '" + pair + "'");
        }
        out.write(hex(v.charAt(i + 1)) * 16 + hex(v.charAt(i + 2)));
        i += 2;
      } else if (c == '+') {
        out.write(' ');
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < v.length()) {
          b = v.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }
}
