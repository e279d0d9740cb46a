package dev.wharf.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * OTLP/JSON as the OTLP specification defines it, which differs from protobuf's generic JSON
 * mapping: trace and span ids are hex strings (not base64), enums are written as integers, 64-bit
 * integers are written as decimal strings and read from strings or numbers, unknown fields are
 * ignored, and both lowerCamelCase and original field names are accepted on input.
 *
 * <p>Streaming in both directions (Jackson {@link JsonParser} / {@link JsonGenerator}); the
 * message structure comes from the protobuf descriptors, so one implementation serves
 * {@code TracesData}, {@code MetricsData}, {@code LogsData}, the {@code Export*ServiceResponse}
 * messages and {@code google.rpc.Status}. Field lookup tables are built once per instance, for the
 * message types reachable from the roots it was created with; instances are immutable and
 * thread-safe.
 */
public final class OtlpJson {
  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
      .build();

  private static final OtlpJson OTLP = of(List.of(
      TracesData.getDescriptor(), MetricsData.getDescriptor(), LogsData.getDescriptor(),
      ExportTraceServiceResponse.getDescriptor(), ExportMetricsServiceResponse.getDescriptor(),
      ExportLogsServiceResponse.getDescriptor()));

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Per message type: JSON name and original name → field. */
  private final Map<Descriptor, Map<String, FieldDescriptor>> fieldsByName;

  private OtlpJson(Map<Descriptor, Map<String, FieldDescriptor>> fieldsByName) {
    this.fieldsByName = fieldsByName;
  }

  /** The codec for the OTLP data messages and the three export responses. */
  public static OtlpJson otlp() {
    return OTLP;
  }

  /** A codec for the message types reachable from {@code roots}. */
  public static OtlpJson of(List<Descriptor> roots) {
    Map<Descriptor, Map<String, FieldDescriptor>> all = new HashMap<>();
    Deque<Descriptor> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      Descriptor d = todo.pop();
      if (all.containsKey(d)) {
        continue;
      }
      Map<String, FieldDescriptor> names = new HashMap<>();
      for (FieldDescriptor f : d.getFields()) {
        names.put(f.getJsonName(), f);
        names.put(f.getName(), f);
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
          todo.push(f.getMessageType());
        }
      }
      all.put(d, Map.copyOf(names));
    }
    return new OtlpJson(Map.copyOf(all));
  }

  // ---------------------------------------------------------------- reading

  /**
   * Decodes {@code json} into a new message of {@code prototype}'s type.
   *
   * @throws OtlpJsonException on malformed JSON or a value of the wrong type, naming its path
   */
  @SuppressWarnings("unchecked")
  public <M extends Message> M parse(byte[] json, M prototype) throws OtlpJsonException {
    return (M) parse(json, 0, json.length, prototype.newBuilderForType()).build();
  }

  /** Decodes {@code json[offset, offset+length)} into {@code builder}, which is returned. */
  public Message.Builder parse(byte[] json, int offset, int length, Message.Builder builder)
      throws OtlpJsonException {
    try (JsonParser p = FACTORY.createParser(json, offset, length)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new OtlpJsonException("empty JSON document");
      }
      readMessage(p, builder);
      if (p.nextToken() != null) {
        throw new OtlpJsonException("unexpected content after the JSON object");
      }
      return builder;
    } catch (OtlpJsonException e) {
      String m = e.getMessage();
      throw m.startsWith(": ") ? new OtlpJsonException(m.substring(2), e.getCause()) : e;
    } catch (StreamConstraintsException e) {
      throw new OtlpJsonException("JSON document exceeds a limit: " + e.getOriginalMessage(), e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new OtlpJsonException("malformed JSON: " + e.getOriginalMessage()
          + " at offset " + e.getLocation().getByteOffset(), e);
    } catch (IOException e) {
      throw new OtlpJsonException("cannot read JSON: " + e.getMessage(), e);
    }
  }

  private void readMessage(JsonParser p, Message.Builder b) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new OtlpJsonException(": expected an object, got " + describe(p));
    }
    Map<String, FieldDescriptor> fields = fieldsByName.get(b.getDescriptorForType());
    if (fields == null) {
      throw new IllegalStateException("message type not known to this codec: " + b.getDescriptorForType().getFullName());
    }
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      FieldDescriptor f = fields.get(name);
      JsonToken v = p.nextToken();
      if (f == null) {
        // Unknown fields are ignored, as the OTLP specification requires.
        p.skipChildren();
        continue;
      }
      if (v == JsonToken.VALUE_NULL) {
        continue;
      }
      try {
        if (f.isRepeated()) {
          if (v != JsonToken.START_ARRAY) {
            throw new OtlpJsonException(": expected an array, got " + describe(p));
          }
          int i = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            try {
              b.addRepeatedField(f, readValue(p, f, b));
            } catch (OtlpJsonException e) {
              throw e.under("[" + i + "]");
            }
            i++;
          }
        } else {
          b.setField(f, readValue(p, f, b));
        }
      } catch (OtlpJsonException e) {
        throw e.under(f.getJsonName());
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new OtlpJsonException(": unexpected " + t);
    }
  }

  private Object readValue(JsonParser p, FieldDescriptor f, Message.Builder parent) throws IOException {
    JsonToken t = p.currentToken();
    switch (f.getJavaType()) {
      case MESSAGE: {
        Message.Builder sub = parent.newBuilderForField(f);
        readMessage(p, sub);
        return sub.build();
      }
      case STRING:
        if (t != JsonToken.VALUE_STRING) {
          throw new OtlpJsonException(": expected a string, got " + describe(p));
        }
        return p.getText();
      case BOOLEAN:
        if (t == JsonToken.VALUE_TRUE) {
          return Boolean.TRUE;
        } else if (t == JsonToken.VALUE_FALSE) {
          return Boolean.FALSE;
        }
        throw new OtlpJsonException(": expected true or false, got " + describe(p));
      case INT:
        return (int) readInteger(p, f, unsigned(f) ? 0xFFFF_FFFFL : Integer.MAX_VALUE,
            unsigned(f) ? 0 : Integer.MIN_VALUE);
      case LONG:
        return readLong(p, f);
      case DOUBLE:
        return readDouble(p);
      case FLOAT:
        return (float) readDouble(p);
      case BYTE_STRING:
        return readBytes(p, f);
      case ENUM:
        return readEnum(p, f);
      default:
        throw new OtlpJsonException(": unsupported field type " + f.getJavaType());
    }
  }

  private static boolean unsigned(FieldDescriptor f) {
    switch (f.getType()) {
      case UINT32:
      case FIXED32:
      case UINT64:
      case FIXED64:
        return true;
      default:
        return false;
    }
  }

  private static long readInteger(JsonParser p, FieldDescriptor f, long max, long min) throws IOException {
    BigInteger v = integerOf(p);
    if (v.compareTo(BigInteger.valueOf(max)) > 0 || v.compareTo(BigInteger.valueOf(min)) < 0) {
      throw new OtlpJsonException(": " + v + " is out of range for " + f.getType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.longValue();
  }

  private static long readLong(JsonParser p, FieldDescriptor f) throws IOException {
    JsonToken t = p.currentToken();
    // Fast paths for the common cases: a decimal string (the OTLP encoding) or a plain number.
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText();
      try {
        return unsigned(f) ? Long.parseUnsignedLong(s) : Long.parseLong(s);
      } catch (NumberFormatException e) {
        // fall through to the general path, which reports the problem
      }
    } else if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
        || t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.LONG) {
      long v = p.getLongValue();
      if (v < 0 && unsigned(f)) {
        throw new OtlpJsonException(": " + v + " is out of range for " + f.getType().name().toLowerCase(java.util.Locale.ROOT));
      }
      return v;
    }
    BigInteger v = integerOf(p);
    BigInteger max = unsigned(f) ? BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE) : BigInteger.valueOf(Long.MAX_VALUE);
    BigInteger min = unsigned(f) ? BigInteger.ZERO : BigInteger.valueOf(Long.MIN_VALUE);
    if (v.compareTo(max) > 0 || v.compareTo(min) < 0) {
      throw new OtlpJsonException(": " + v + " is out of range for " + f.getType().name().toLowerCase(java.util.Locale.ROOT));
    }
    return v.longValue();
  }

  /** An integer given as a JSON number or a decimal string; an integral float such as 1e3 is accepted. */
  private static BigInteger integerOf(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    String text;
    if (t == JsonToken.VALUE_NUMBER_INT) {
      return p.getBigIntegerValue();
    } else if (t == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_STRING) {
      text = p.getText().trim();
    } else {
      throw new OtlpJsonException(": expected an integer, got " + describe(p));
    }
    if (text.length() > 40) {
      throw new OtlpJsonException(": expected an integer, got a " + text.length() + " character string");
    }
    try {
      return new BigDecimal(text).toBigIntegerExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new OtlpJsonException(": expected an integer, got '" + text + "'");
    }
  }

  private static double readDouble(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText();
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          if (s.length() <= 40) {
            try {
              return Double.parseDouble(s);
            } catch (NumberFormatException e) {
              // reported below
            }
          }
          throw new OtlpJsonException(": expected a number, got '" + abbreviate(s) + "'");
      }
    }
    throw new OtlpJsonException(": expected a number, got " + describe(p));
  }

  private static ByteString readBytes(JsonParser p, FieldDescriptor f) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new OtlpJsonException(": expected a string, got " + describe(p));
    }
    String s = p.getText();
    int idLength = idLength(f);
    if (idLength > 0) {
      if (s.isEmpty()) {
        return ByteString.EMPTY;
      }
      if (s.length() != idLength * 2) {
        throw new OtlpJsonException(": expected " + idLength * 2 + " hex digits, got " + s.length() + " characters");
      }
      byte[] out = new byte[idLength];
      for (int i = 0; i < idLength; i++) {
        int hi = Character.digit(s.charAt(2 * i), 16);
        int lo = Character.digit(s.charAt(2 * i + 1), 16);
        if (hi < 0 || lo < 0) {
          throw new OtlpJsonException(": expected hex digits, got '" + abbreviate(s) + "'");
        }
        out[i] = (byte) (hi << 4 | lo);
      }
      return ByteString.copyFrom(out);
    }
    try {
      return ByteString.copyFrom(s.indexOf('-') >= 0 || s.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s));
    } catch (IllegalArgumentException e) {
      throw new OtlpJsonException(": expected base64, " + e.getMessage());
    }
  }

  /** Byte length of the hex-encoded id fields (trace_id, span_id, parent_span_id); 0 for other bytes. */
  private static int idLength(FieldDescriptor f) {
    switch (f.getName()) {
      case "trace_id":
        return 16;
      case "span_id":
      case "parent_span_id":
        return 8;
      default:
        return 0;
    }
  }

  private static EnumValueDescriptor readEnum(JsonParser p, FieldDescriptor f) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT) {
      long n = p.getLongValue();
      if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
        throw new OtlpJsonException(": enum value " + n + " is out of range");
      }
      return f.getEnumType().findValueByNumberCreatingIfUnknown((int) n);
    }
    if (t == JsonToken.VALUE_STRING) {
      // The specification asks for integers; names are accepted as protobuf's JSON mapping writes them.
      EnumValueDescriptor v = f.getEnumType().findValueByName(p.getText());
      if (v != null) {
        return v;
      }
      throw new OtlpJsonException(": unknown " + f.getEnumType().getName() + " '" + abbreviate(p.getText()) + "'");
    }
    throw new OtlpJsonException(": expected an integer enum value, got " + describe(p));
  }

  private static String describe(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "end of input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "the string '" + abbreviate(p.getText()) + "'";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "the number " + abbreviate(p.getText());
      case VALUE_TRUE:
      case VALUE_FALSE:
        return p.getText();
      default:
        return t.toString();
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  // ---------------------------------------------------------------- writing

  /** Encodes {@code message} as OTLP/JSON. */
  public byte[] write(MessageOrBuilder message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      write(message, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Encodes {@code message} as OTLP/JSON onto {@code out} (which is not closed). */
  public void write(MessageOrBuilder message, OutputStream out) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      writeMessage(g, message);
    }
  }

  private static void writeMessage(JsonGenerator g, MessageOrBuilder m) throws IOException {
    g.writeStartObject();
    for (FieldDescriptor f : m.getDescriptorForType().getFields()) {
      if (f.isRepeated()) {
        int n = m.getRepeatedFieldCount(f);
        if (n == 0) {
          continue;
        }
        g.writeFieldName(f.getJsonName());
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
          writeValue(g, f, m.getRepeatedField(f, i));
        }
        g.writeEndArray();
      } else if (f.hasPresence()) {
        // Message fields and oneof members (AnyValue's value): written when set, even if zero.
        if (m.hasField(f)) {
          g.writeFieldName(f.getJsonName());
          writeValue(g, f, m.getField(f));
        }
      } else {
        Object v = m.getField(f);
        if (!v.equals(f.getDefaultValue())) {
          g.writeFieldName(f.getJsonName());
          writeValue(g, f, v);
        }
      }
    }
    g.writeEndObject();
  }

  private static void writeValue(JsonGenerator g, FieldDescriptor f, Object v) throws IOException {
    switch (f.getJavaType()) {
      case MESSAGE:
        writeMessage(g, (MessageOrBuilder) v);
        break;
      case STRING:
        g.writeString((String) v);
        break;
      case BOOLEAN:
        g.writeBoolean((Boolean) v);
        break;
      case INT:
        if (unsigned(f)) {
          g.writeNumber(Integer.toUnsignedLong((Integer) v));
        } else {
          g.writeNumber((Integer) v);
        }
        break;
      case LONG:
        g.writeString(unsigned(f) ? Long.toUnsignedString((Long) v) : Long.toString((Long) v));
        break;
      case DOUBLE:
        writeDouble(g, (Double) v);
        break;
      case FLOAT:
        writeDouble(g, ((Float) v).doubleValue());
        break;
      case BYTE_STRING: {
        ByteString b = (ByteString) v;
        if (idLength(f) > 0) {
          char[] hex = new char[b.size() * 2];
          for (int i = 0; i < b.size(); i++) {
            int x = b.byteAt(i) & 0xFF;
            hex[2 * i] = HEX[x >>> 4];
            hex[2 * i + 1] = HEX[x & 0xF];
          }
          g.writeString(hex, 0, hex.length);
        } else {
          g.writeString(Base64.getEncoder().encodeToString(b.toByteArray()));
        }
        break;
      }
      case ENUM:
        g.writeNumber(((EnumValueDescriptor) v).getNumber());
        break;
      default:
        throw new IllegalStateException("unsupported field type " + f.getJavaType());
    }
  }

  private static void writeDouble(JsonGenerator g, double d) throws IOException {
    if (Double.isNaN(d)) {
      g.writeString("NaN");
    } else if (Double.isInfinite(d)) {
      g.writeString(d > 0 ? "Infinity" : "-Infinity");
    } else {
      g.writeNumber(d);
    }
  }
}
