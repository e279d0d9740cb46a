package dev.wharf.ecs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.wharf.json.PlainJson;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a metadata document (a few KB, fetched once at start or once per collection interval) into
 * plain maps, lists, strings, numbers and booleans with Jackson's streaming parser. Not a hot path:
 * the typed records are built from these values once.
 */
final class JsonValues {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();
  private static final PlainJson.Style STYLE = new PlainJson.Style(LinkedHashMap::new, false);

  private JsonValues() {}

  /** The single JSON value of {@code bytes}; throws on malformed or truncated JSON. */
  static Object parse(byte[] bytes) throws IOException {
    try {
      return parseOrThrow(bytes);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // Jackson's own message spans lines and names a redacted source; keep it to one line.
      var loc = e.getLocation();
      throw new IOException(e.getOriginalMessage().replace('\n', ' ')
          + (loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")"), e);
    }
  }

  private static Object parseOrThrow(byte[] bytes) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IOException("empty document");
      }
      Object v = PlainJson.read(p, t, STYLE);
      if (p.nextToken() != null) {
        throw new IOException("unexpected content after the JSON value at " + p.currentLocation());
      }
      return v;
    }
  }

  static Map<String, Object> object(Object v, String what) throws IOException {
    if (v instanceof Map<?, ?> m) {
      @SuppressWarnings("unchecked")
      Map<String, Object> r = (Map<String, Object>) m;
      return r;
    }
    throw new IOException(what + ": expected a JSON object, got " + describe(v));
  }

  /** A string member; absent or null gives "" (as Go's zero value). Numbers are rendered. */
  static String string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return "";
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    return "";
  }

  static Double number(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Number n ? n.doubleValue() : null;
  }

  static Long integer(Map<String, Object> m, String key) {
    Object v = m.get(key);
    return v instanceof Number n ? n.longValue() : null;
  }

  static Map<String, String> stringMap(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Map<?, ?> mm)) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : mm.entrySet()) {
      if (e.getValue() instanceof String s) {
        out.put(String.valueOf(e.getKey()), s);
      } else if (e.getValue() != null) {
        out.put(String.valueOf(e.getKey()), e.getValue().toString());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  static List<Object> list(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> r = (List<Object>) l;
      return r;
    }
    return List.of();
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    return v instanceof String ? "a string" : v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }
}
