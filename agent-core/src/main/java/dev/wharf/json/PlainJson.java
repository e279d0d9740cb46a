package dev.wharf.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reads one JSON value from a Jackson streaming parser into plain Java values: maps, lists, strings,
 * numbers, booleans and null (Go's {@code json.Unmarshal} into {@code any}). For small documents read
 * once — metadata, JSON-valued attributes — not for telemetry on the hot path.
 */
public final class PlainJson {
  /** Deeper nesting than any document Wharf reads; guards against hostile input. */
  public static final int MAX_DEPTH = 64;

  /**
   * How objects and numbers come out: {@code maps} makes each object's map (insertion order, sorted, ...);
   * with {@code numbersAsDouble} every number is a Double, as Go decodes into float64; otherwise
   * integers are Integer/Long/BigInteger and the rest Double.
   */
  public record Style(Supplier<? extends Map<String, Object>> maps, boolean numbersAsDouble) {}

  private PlainJson() {}

  /** The value starting at token {@code t} (the parser's current token); throws on truncated JSON. */
  public static Object read(JsonParser p, JsonToken t, Style style) throws IOException {
    return read(p, t, style, 0);
  }

  private static Object read(JsonParser p, JsonToken t, Style style, int depth) throws IOException {
    if (t == null) {
      throw new IOException("truncated JSON");
    }
    if (depth > MAX_DEPTH) {
      throw new IOException("JSON nested deeper than " + MAX_DEPTH);
    }
    switch (t) {
      case START_OBJECT: {
        Map<String, Object> m = style.maps().get();
        JsonToken n;
        while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          m.put(name, read(p, p.nextToken(), style, depth + 1));
        }
        if (n != JsonToken.END_OBJECT) {
          throw new IOException("truncated JSON");
        }
        return m;
      }
      case START_ARRAY: {
        List<Object> l = new ArrayList<>();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
          l.add(read(p, n, style, depth + 1));
        }
        return l;
      }
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return style.numbersAsDouble() ? (Object) p.getValueAsDouble() : p.getNumberValue();
      case VALUE_NUMBER_FLOAT:
        return p.getValueAsDouble();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected JSON token " + t);
    }
  }
}
