package dev.wharf.exporter.awsxray;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.io.SegmentedStringWriter;
import dev.wharf.exporter.awsxray.SegmentModel.Aws;
import dev.wharf.exporter.awsxray.SegmentModel.Exc;
import dev.wharf.exporter.awsxray.SegmentModel.Frame;
import dev.wharf.exporter.awsxray.SegmentModel.Http;
import dev.wharf.exporter.awsxray.SegmentModel.Link;
import dev.wharf.exporter.awsxray.SegmentModel.LogGroup;
import dev.wharf.exporter.awsxray.SegmentModel.Sql;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link SegmentModel} as compact JSON the way upstream's Go {@code encoding/json} encoder
 * does: fields in the declaration order of tracesegment.go, map keys sorted, HTML characters and
 * U+2028/U+2029 escaped, floats in Go's shortest plain notation, a trailing newline. Streaming
 * (Jackson {@link JsonGenerator}), no trees.
 */
final class SegmentJson {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final GoEscapes ESCAPES = new GoEscapes();

  private SegmentJson() {}

  /** Thrown when a document cannot be encoded (NaN or infinite number, as upstream). */
  static final class EncodingException extends Exception {
    private static final long serialVersionUID = 1L;

    EncodingException(String message) {
      super(message, null, false, false);
    }
  }

  /** The document, newline-terminated. */
  static String write(SegmentModel s) throws EncodingException {
    // Written into recycled char buffers; the only copy made is the returned String.
    SegmentedStringWriter out = new SegmentedStringWriter(FACTORY._getBufferRecycler());
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setCharacterEscapes(ESCAPES);
      writeSegment(g, s);
      g.writeRaw('\n');
      g.flush();
      return out.getAndClear();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NonFinite e) {
      throw new EncodingException(e.getMessage());
    }
  }

  /** Length of {@code s} in UTF-8, without encoding it. */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0, len = s.length(); i < len; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Unchecked inside the generator callbacks, turned into {@link EncodingException}. */
  private static final class NonFinite extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NonFinite(double v) {
      super("json: unsupported value: " + v, null, false, false);
    }
  }

  private static void writeSegment(JsonGenerator g, SegmentModel s) throws IOException {
    g.writeStartObject();
    g.writeFieldName("name");
    nullableString(g, s.name);
    g.writeFieldName("id");
    nullableString(g, s.id);
    g.writeFieldName("start_time");
    number(g, s.startNanos / 1e9);
    if (s.serviceVersion != null) {
      g.writeObjectFieldStart("service");
      g.writeStringField("version", s.serviceVersion);
      g.writeEndObject();
    }
    stringField(g, "origin", s.origin);
    stringField(g, "user", s.user);
    if (s.links != null && !s.links.isEmpty()) {
      g.writeArrayFieldStart("links");
      for (Link l : s.links) {
        g.writeStartObject();
        g.writeStringField("trace_id", l.traceId);
        g.writeStringField("id", l.id);
        if (l.attributes != null && !l.attributes.isEmpty()) {
          g.writeFieldName("attributes");
          keyValues(g, l.attributes);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    stringField(g, "trace_id", s.traceId);
    if (s.inProgress) {
      g.writeBooleanField("in_progress", true);
    } else {
      g.writeFieldName("end_time");
      number(g, s.endNanos / 1e9);
    }
    if (s.http != null) {
      http(g, s.http);
    }
    g.writeBooleanField("fault", s.fault);
    g.writeBooleanField("error", s.error);
    g.writeBooleanField("throttle", s.throttle);
    if (s.exceptions != null) {
      g.writeObjectFieldStart("cause");
      if (!s.exceptions.isEmpty()) {
        g.writeArrayFieldStart("exceptions");
        for (Exc e : s.exceptions) {
          exception(g, e);
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    if (s.aws != null) {
      aws(g, s.aws);
    }
    if (!SegmentModel.isEmpty(s.annotations)) {
      g.writeFieldName("annotations");
      objectMap(g, s.annotations);
    }
    if (!SegmentModel.isEmpty(s.metadata)) {
      g.writeObjectFieldStart("metadata");
      for (Map.Entry<String, TreeMap<String, Object>> ns : s.metadata.entrySet()) {
        g.writeFieldName(ns.getKey());
        if (ns.getValue() == null) {
          g.writeNull();
        } else {
          objectMap(g, ns.getValue());
        }
      }
      g.writeEndObject();
    }
    stringField(g, "namespace", s.namespace);
    stringField(g, "parent_id", s.parentId);
    stringField(g, "type", s.type);
    if (s.sql != null) {
      Sql q = s.sql;
      g.writeObjectFieldStart("sql");
      stringField(g, "connection_string", q.connectionString);
      stringField(g, "url", q.url);
      stringField(g, "sanitized_query", q.sanitizedQuery);
      stringField(g, "database_type", q.databaseType);
      stringField(g, "user", q.user);
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void http(JsonGenerator g, Http h) throws IOException {
    g.writeObjectFieldStart("http");
    g.writeObjectFieldStart("request");
    if (h.xForwardedFor) {
      g.writeBooleanField("x_forwarded_for", true);
    }
    stringField(g, "method", h.method);
    stringField(g, "url", h.url);
    stringField(g, "user_agent", h.userAgent);
    stringField(g, "client_ip", h.clientIp);
    g.writeEndObject();
    g.writeObjectFieldStart("response");
    if (h.status != null) {
      g.writeNumberField("status", h.status);
    }
    g.writeNumberField("content_length", h.contentLength);
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void exception(JsonGenerator g, Exc e) throws IOException {
    g.writeStartObject();
    stringField(g, "id", e.id);
    g.writeStringField("message", e.message == null ? "" : e.message);
    g.writeStringField("type", e.type == null ? "" : e.type);
    if (e.remote != null) {
      g.writeBooleanField("remote", e.remote);
    }
    if (e.truncated != null) {
      g.writeNumberField("truncated", e.truncated);
    }
    stringField(g, "cause", e.cause);
    if (e.stack != null && !e.stack.isEmpty()) {
      g.writeArrayFieldStart("stack");
      for (Frame f : e.stack) {
        g.writeStartObject();
        g.writeStringField("path", f.path);
        g.writeNumberField("line", f.line);
        g.writeStringField("label", f.label);
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void aws(JsonGenerator g, Aws a) throws IOException {
    g.writeObjectFieldStart("aws");
    if (a.beanstalk) {
      g.writeObjectFieldStart("elastic_beanstalk");
      g.writeFieldName("environment_name");
      nullableString(g, a.beanstalkEnvironment);
      g.writeFieldName("version_label");
      nullableString(g, a.beanstalkVersion);
      g.writeNumberField("deployment_id", a.beanstalkDeploymentId);
      g.writeEndObject();
    }
    if (a.logGroups != null && !a.logGroups.isEmpty()) {
      g.writeArrayFieldStart("cloudwatch_logs");
      for (LogGroup lg : a.logGroups) {
        g.writeStartObject();
        g.writeFieldName("log_group");
        nullableString(g, lg.logGroup);
        stringField(g, "arn", lg.arn);
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (a.ecs) {
      g.writeObjectFieldStart("ecs");
      stringField(g, "container", a.ecsContainer);
      stringField(g, "container_id", a.ecsContainerId);
      stringField(g, "task_arn", a.ecsTaskArn);
      stringField(g, "task_family", a.ecsTaskFamily);
      stringField(g, "cluster_arn", a.ecsClusterArn);
      stringField(g, "container_arn", a.ecsContainerArn);
      stringField(g, "availability_zone", a.ecsAvailabilityZone);
      stringField(g, "launch_type", a.ecsLaunchType);
      g.writeEndObject();
    }
    if (a.ec2) {
      g.writeObjectFieldStart("ec2");
      g.writeFieldName("instance_id");
      nullableString(g, a.ec2InstanceId);
      g.writeFieldName("availability_zone");
      nullableString(g, a.ec2AvailabilityZone);
      g.writeFieldName("instance_size");
      nullableString(g, a.ec2InstanceSize);
      g.writeFieldName("ami_id");
      nullableString(g, a.ec2AmiId);
      g.writeEndObject();
    }
    if (a.eks) {
      g.writeObjectFieldStart("eks");
      g.writeFieldName("cluster_name");
      nullableString(g, a.eksClusterName);
      g.writeFieldName("pod");
      nullableString(g, a.eksPod);
      g.writeFieldName("container_id");
      nullableString(g, a.eksContainerId);
      g.writeEndObject();
    }
    g.writeObjectFieldStart("xray");
    stringField(g, "sdk", a.xraySdk);
    stringField(g, "sdk_version", a.xraySdkVersion);
    g.writeBooleanField("auto_instrumentation", a.autoInstrumentation);
    g.writeEndObject();
    stringField(g, "account_id", a.accountId);
    stringField(g, "operation", a.operation);
    stringField(g, "region", a.region);
    stringField(g, "request_id", a.requestId);
    stringField(g, "queue_url", a.queueUrl);
    stringField(g, "table_name", a.tableName);
    if (a.tableNames != null && !a.tableNames.isEmpty()) {
      g.writeArrayFieldStart("table_names");
      for (String t : a.tableNames) {
        g.writeString(t);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  private static void objectMap(JsonGenerator g, Map<String, Object> m) throws IOException {
    g.writeStartObject();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      g.writeFieldName(e.getKey());
      value(g, e.getValue());
    }
    g.writeEndObject();
  }

  /** A value of an annotation or of metadata: Java scalars, parsed JSON collections, or OTLP AnyValue. */
  @SuppressWarnings("unchecked")
  private static void value(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      number(g, d);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof AnyValue a) {
      anyValue(g, a);
    } else if (v instanceof Map<?, ?> m) {
      TreeMap<String, Object> sorted = SegmentModel.sortedMap();
      sorted.putAll((Map<String, Object>) m);
      objectMap(g, sorted);
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object o : list) {
        value(g, o);
      }
      g.writeEndArray();
    } else {
      g.writeString(v.toString());
    }
  }

  /** pcommon Value.AsRaw() as Go encodes it: kvlists as objects with sorted keys, bytes as base64. */
  static void anyValue(JsonGenerator g, AnyValue a) throws IOException {
    switch (a.getValueCase()) {
      case STRING_VALUE -> g.writeString(a.getStringValue());
      case BOOL_VALUE -> g.writeBoolean(a.getBoolValue());
      case INT_VALUE -> g.writeNumber(a.getIntValue());
      case DOUBLE_VALUE -> number(g, a.getDoubleValue());
      case BYTES_VALUE -> g.writeString(Base64.getEncoder().encodeToString(a.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        g.writeStartArray();
        for (AnyValue e : a.getArrayValue().getValuesList()) {
          anyValue(g, e);
        }
        g.writeEndArray();
      }
      case KVLIST_VALUE -> keyValues(g, a.getKvlistValue().getValuesList());
      default -> g.writeNull();
    }
  }

  private static void keyValues(JsonGenerator g, List<KeyValue> kvs) throws IOException {
    TreeMap<String, AnyValue> sorted = SegmentModel.sortedMap();
    for (KeyValue kv : kvs) {
      sorted.put(kv.getKey(), kv.getValue());
    }
    g.writeStartObject();
    for (Map.Entry<String, AnyValue> e : sorted.entrySet()) {
      g.writeFieldName(e.getKey());
      anyValue(g, e.getValue());
    }
    g.writeEndObject();
  }

  private static void stringField(JsonGenerator g, String name, String value) throws IOException {
    if (value != null && !value.isEmpty()) {
      g.writeStringField(name, value);
    }
  }

  private static void nullableString(JsonGenerator g, String value) throws IOException {
    if (value == null || value.isEmpty()) {
      g.writeNull();
    } else {
      g.writeString(value);
    }
  }

  private static void number(JsonGenerator g, double v) throws IOException {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      throw new NonFinite(v);
    }
    g.writeNumber(goFloat(v));
  }

  /**
   * Go's {@code encoding/json} rendering of a float64: the shortest decimal that round-trips, plain
   * for magnitudes in [1e-6, 1e21), otherwise exponent form with a minimal exponent ({@code 1e+21},
   * {@code 1e-7}).
   */
  static String goFloat(double v) {
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    // Schubfach: shortest round-trip digits (Java 17's Double.toString is not always shortest).
    String s = NumberOutput.toString(v, true);
    boolean negative = s.charAt(0) == '-';
    int start = negative ? 1 : 0;
    int ePos = s.indexOf('E');
    String mantissa = ePos < 0 ? s.substring(start) : s.substring(start, ePos);
    int exp = ePos < 0 ? 0 : Integer.parseInt(s.substring(ePos + 1));
    int dot = mantissa.indexOf('.');
    String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
    String fracPart = dot < 0 ? "" : mantissa.substring(dot + 1);
    StringBuilder digits = new StringBuilder(intPart).append(fracPart);
    int pointPos = intPart.length() + exp; // decimal point position within digits
    // strip leading zeros
    int lead = 0;
    while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
      lead++;
    }
    digits.delete(0, lead);
    pointPos -= lead;
    // strip trailing zeros
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    digits.setLength(end);
    StringBuilder out = new StringBuilder(32);
    if (negative) {
      out.append('-');
    }
    double abs = Math.abs(v);
    if (abs < 1e21 && abs >= 1e-6) {
      if (pointPos <= 0) {
        out.append("0.");
        for (int i = 0; i < -pointPos; i++) {
          out.append('0');
        }
        out.append(digits);
      } else if (pointPos >= digits.length()) {
        out.append(digits);
        for (int i = digits.length(); i < pointPos; i++) {
          out.append('0');
        }
      } else {
        out.append(digits, 0, pointPos).append('.').append(digits, pointPos, digits.length());
      }
    } else {
      int e = pointPos - 1;
      out.append(digits.charAt(0));
      if (digits.length() > 1) {
        out.append('.').append(digits, 1, digits.length());
      }
      out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return out.toString();
  }

  /** Go's HTMLEscape set: {@code < > &} and the JavaScript line terminators U+2028, U+2029. */
  private static final class GoEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private static final SerializableString LT = new SerializedString("\\u003c");
    private static final SerializableString GT = new SerializedString("\\u003e");
    private static final SerializableString AMP = new SerializedString("\\u0026");
    private static final SerializableString LS = new SerializedString("\\u2028");
    private static final SerializableString PS = new SerializedString("\\u2029");
    private final int[] ascii;

    GoEscapes() {
      ascii = CharacterEscapes.standardAsciiEscapesForJSON();
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      switch (ch) {
        case '<':
          return LT;
        case '>':
          return GT;
        case '&':
          return AMP;
        case 0x2028:
          return LS;
        case 0x2029:
          return PS;
        default:
          return null;
      }
    }
  }

}
