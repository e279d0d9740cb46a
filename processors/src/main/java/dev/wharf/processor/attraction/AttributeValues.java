package dev.wharf.processor.attraction;

import dev.wharf.pipeline.AnyValues;


import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

/** Conversions between YAML values, OTLP {@link AnyValue}s and strings, as upstream's pcommon does. */
public final class AttributeValues {
  private AttributeValues() {}

  /**
   * A YAML value (String, Integer, Long, BigInteger, Double, Boolean, List, Map) as an AnyValue;
   * null for an unsupported type.
   */
  public static AnyValue fromYaml(Object v) {
    if (v instanceof String s) {
      return AnyValue.newBuilder().setStringValue(s).build();
    }
    if (v instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return AnyValue.newBuilder().setIntValue(((Number) v).longValue()).build();
    }
    if (v instanceof BigInteger bi) {
      return bi.bitLength() <= 63 ? AnyValue.newBuilder().setIntValue(bi.longValue()).build() : null;
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      return AnyValue.newBuilder().setDoubleValue(((Number) v).doubleValue()).build();
    }
    if (v instanceof byte[] bytes) {
      return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(bytes)).build();
    }
    if (v instanceof List<?> l) {
      ArrayValue.Builder a = ArrayValue.newBuilder();
      for (Object e : l) {
        AnyValue av = e == null ? AnyValue.getDefaultInstance() : fromYaml(e);
        if (av == null) {
          return null;
        }
        a.addValues(av);
      }
      return AnyValue.newBuilder().setArrayValue(a).build();
    }
    if (v instanceof Map<?, ?> m) {
      KeyValueList.Builder kl = KeyValueList.newBuilder();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        AnyValue av = e.getValue() == null ? AnyValue.getDefaultInstance() : fromYaml(e.getValue());
        if (av == null) {
          return null;
        }
        kl.addValues(KeyValue.newBuilder().setKey(String.valueOf(e.getKey())).setValue(av));
      }
      return AnyValue.newBuilder().setKvlistValue(kl).build();
    }
    return null;
  }

  public static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  /**
   * The {@code hash} action: SHA-256 (upstream's default since the {@code coreinternal.attraction.hash.sha256}
   * gate) of the value's bytes (UTF-8 string, 1 byte bool, little-endian 8-byte int or IEEE double),
   * hex-encoded; other types hash to the empty string, as upstream.
   */
  public static AnyValue hash(AnyValue v) {
    byte[] bytes;
    switch (v.getValueCase()) {
      case STRING_VALUE:
        bytes = v.getStringValue().getBytes(StandardCharsets.UTF_8);
        break;
      case BOOL_VALUE:
        bytes = new byte[] {(byte) (v.getBoolValue() ? 1 : 0)};
        break;
      case INT_VALUE:
        bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v.getIntValue()).array();
        break;
      case DOUBLE_VALUE:
        bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(Double.doubleToRawLongBits(v.getDoubleValue())).array();
        break;
      default:
        return string("");
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder sb = new StringBuilder(d.length * 2);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
      }
      return string(sb.toString());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JRE", e);
    }
  }

  /**
   * The {@code convert} action: {@code string}, {@code int} or {@code double}; a value that cannot be
   * converted is returned unchanged (null means "unchanged"), as upstream.
   */
  public static AnyValue convert(AnyValue v, String to) {
    switch (to) {
      case "string":
        return v.hasStringValue() ? null : string(AnyValues.asString(v));
      case "int":
        switch (v.getValueCase()) {
          case DOUBLE_VALUE:
            return AnyValue.newBuilder().setIntValue(goFloatToInt(v.getDoubleValue())).build();
          case BOOL_VALUE:
            return AnyValue.newBuilder().setIntValue(v.getBoolValue() ? 1 : 0).build();
          case STRING_VALUE:
            try {
              return AnyValue.newBuilder().setIntValue(Long.parseLong(v.getStringValue())).build();
            } catch (NumberFormatException e) {
              return null;
            }
          default:
            return null;
        }
      case "double":
        switch (v.getValueCase()) {
          case INT_VALUE:
            return AnyValue.newBuilder().setDoubleValue(v.getIntValue()).build();
          case BOOL_VALUE:
            return AnyValue.newBuilder().setDoubleValue(v.getBoolValue() ? 1 : 0).build();
          case STRING_VALUE: {
            Double d = parseGoFloat(v.getStringValue());
            return d == null ? null : AnyValue.newBuilder().setDoubleValue(d).build();
          }
          default:
            return null;
        }
      default:
        return null;
    }
  }

  private static long goFloatToInt(double d) {
    if (Double.isNaN(d)) {
      return Long.MIN_VALUE; // what Go yields on amd64 for out-of-range conversions
    }
    return (long) d;
  }

  /** Go's ParseFloat accepts decimal, exponent, inf/infinity and nan; Java's type suffixes are refused. */
  static Double parseGoFloat(String s) {
    String t = s.toLowerCase(java.util.Locale.ROOT);
    String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    if (t.isEmpty() || t.endsWith("d") || t.endsWith("f") || t.contains("infinity") || t.contains("nan")
        || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
      return null;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
