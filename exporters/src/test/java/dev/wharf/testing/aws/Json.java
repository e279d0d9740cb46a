package dev.wharf.testing.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses JSON text into plain Java values for assertions: objects as insertion-ordered maps (so a
 * test can check key order), arrays as lists, integers as Long, other numbers as Double, JSON null as
 * Java null. Strict: duplicate keys and trailing content are errors.
 */
public final class Json {
  private static final JsonFactory FACTORY = new JsonFactory();

  private Json() {}

  public static Object parse(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IllegalArgumentException("empty JSON");
      }
      Object v = read(p, t);
      if (p.nextToken() != null) {
        throw new IllegalArgumentException("trailing content after the JSON value");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("not a JSON object: " + text);
    }
    return (Map<String, Object>) v;
  }

  private static Object read(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT -> {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          if (m.containsKey(name)) {
            throw new IllegalArgumentException("duplicate key " + name);
          }
          m.put(name, read(p, p.nextToken()));
        }
        return m;
      }
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          l.add(read(p, n));
        }
        return l;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT -> {
        return p.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        return p.getDoubleValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IllegalArgumentException("unexpected token " + t);
    }
  }

  /** The value at a dotted path ({@code http.request.url}, {@code cause.exceptions.0.type}); null if absent. */
  public static Object at(Object root, String path) {
    Object cur = root;
    for (String part : path.split("\\.")) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(part);
      } else if (cur instanceof List<?> l && part.chars().allMatch(Character::isDigit)) {
        int i = Integer.parseInt(part);
        cur = i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
    }
    return cur;
  }

  /** Whether the dotted path exists (its value may be JSON null). */
  public static boolean has(Object root, String path) {
    int dot = path.lastIndexOf('.');
    Object parent = dot < 0 ? root : at(root, path.substring(0, dot));
    String last = path.substring(dot + 1);
    if (parent instanceof Map<?, ?> m) {
      return m.containsKey(last);
    }
    if (parent instanceof List<?> l && last.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(last) < l.size();
    }
    return false;
  }

  /** The value under the given keys (list indexes as decimal strings); null if absent. */
  public static Object path(Object root, String... keys) {
    Object cur = root;
    for (String part : keys) {
      if (cur instanceof Map<?, ?> m) {
        cur = m.get(part);
      } else if (cur instanceof List<?> l && part.chars().allMatch(Character::isDigit)) {
        int i = Integer.parseInt(part);
        cur = i < l.size() ? l.get(i) : null;
      } else {
        return null;
      }
    }
    return cur;
  }

  /** Whether the key path exists (its value may be JSON null). */
  public static boolean hasPath(Object root, String... keys) {
    Object parent = path(root, java.util.Arrays.copyOf(keys, keys.length - 1));
    String last = keys[keys.length - 1];
    if (parent instanceof Map<?, ?> m) {
      return m.containsKey(last);
    }
    if (parent instanceof List<?> l && last.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(last) < l.size();
    }
    return false;
  }
}
