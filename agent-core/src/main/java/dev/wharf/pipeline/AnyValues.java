package dev.wharf.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Base64;

/** Attribute values as text, the way the upstream collector renders them ({@code pcommon.Value.AsString}). */
public final class AnyValues {
  private static final JsonFactory JSON = new JsonFactory();

  private AnyValues() {}

  /**
   * Strings as they are; booleans and integers in decimal; doubles as Go's shortest exact decimal;
   * bytes in base64; arrays and maps as compact JSON.
   */
  public static String asString(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return formatDouble(v.getDoubleValue());
      case BYTES_VALUE:
        return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE:
      case KVLIST_VALUE: {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
          json(v, g);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return w.toString();
      }
      default:
        return "";
    }
  }

  /** Go's {@code strconv.FormatFloat(d, 'f', -1, 64)}: shortest exact decimal, no exponent. */
  public static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }

  private static void json(AnyValue v, JsonGenerator g) throws IOException {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        g.writeString(v.getStringValue());
        break;
      case BOOL_VALUE:
        g.writeBoolean(v.getBoolValue());
        break;
      case INT_VALUE:
        g.writeNumber(v.getIntValue());
        break;
      case DOUBLE_VALUE: {
        double d = v.getDoubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          g.writeString(formatDouble(d));
        } else {
          g.writeNumber(formatDouble(d));
        }
        break;
      }
      case BYTES_VALUE:
        g.writeString(asString(v));
        break;
      case ARRAY_VALUE:
        g.writeStartArray();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          json(e, g);
        }
        g.writeEndArray();
        break;
      case KVLIST_VALUE:
        g.writeStartObject();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          g.writeFieldName(kv.getKey());
          json(kv.getValue(), g);
        }
        g.writeEndObject();
        break;
      default:
        g.writeNull();
    }
  }
}
