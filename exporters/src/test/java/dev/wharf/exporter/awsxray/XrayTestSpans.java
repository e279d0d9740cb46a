package dev.wharf.exporter.awsxray;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.util.HexFormat;

/** Small builders for OTLP spans and resources in the X-Ray tests. */
final class XrayTestSpans {
  private XrayTestSpans() {}

  static final String TRACE_HEX = "5f2aebccb475d14618c51eaa28753d37";
  static final String SPAN_HEX = "bda182a644eee9b3";
  static final String PARENT_HEX = "defdfd9912dc5a56";
  /** 1596648396.6399446 s, the start time of the fixture segment. */
  static final long START = 1_596_648_396_639_944_600L;
  static final long END = 1_596_648_396_640_138_900L;

  static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }

  static Span.Builder span(SpanKind kind, boolean withParent) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(bytes(TRACE_HEX))
        .setSpanId(bytes(SPAN_HEX))
        .setName("GET /orders")
        .setKind(kind)
        .setStartTimeUnixNano(START)
        .setEndTimeUnixNano(END);
    if (withParent) {
      b.setParentSpanId(bytes(PARENT_HEX));
    }
    return b;
  }

  static Span.Builder withAttrs(Span.Builder b, KeyValue... attrs) {
    for (KeyValue a : attrs) {
      b.addAttributes(a);
    }
    return b;
  }

  static KeyValue s(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue i(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static KeyValue d(String k, double v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setDoubleValue(v)).build();
  }

  static KeyValue b(String k, boolean v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setBoolValue(v)).build();
  }

  static KeyValue arr(String k, String... values) {
    ArrayValue.Builder a = ArrayValue.newBuilder();
    for (String v : values) {
      a.addValues(AnyValue.newBuilder().setStringValue(v));
    }
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setArrayValue(a)).build();
  }

  static KeyValue kv(String k, KeyValue... members) {
    KeyValueList.Builder l = KeyValueList.newBuilder();
    for (KeyValue m : members) {
      l.addValues(m);
    }
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setKvlistValue(l)).build();
  }

  static Resource resource(KeyValue... attrs) {
    Resource.Builder r = Resource.newBuilder();
    for (KeyValue a : attrs) {
      r.addAttributes(a);
    }
    return r.build();
  }

  /** What the resourcedetection ECS detector gives on Fargate (spec/ecs.md section 2). */
  static Resource fargateResource() {
    return resource(
        s("service.name", "checkout"),
        s("cloud.provider", "aws"),
        s("cloud.platform", "aws_ecs"),
        s("aws.ecs.task.arn", "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c"),
        s("aws.ecs.task.family", "checkout-task"),
        s("aws.ecs.task.revision", "3"),
        s("cloud.region", "us-west-2"),
        s("cloud.account.id", "111122223333"),
        s("aws.ecs.task.id", "158d1c8083dd49d6b527399fd6414f5c"),
        s("aws.ecs.cluster.arn", "arn:aws:ecs:us-west-2:111122223333:cluster/default"),
        s("cloud.availability_zone", "us-west-2a"),
        s("aws.ecs.launchtype", "fargate"),
        arr("aws.log.group.names", "/ecs/checkout"),
        arr("aws.log.group.arns", "arn:aws:logs:us-west-2:111122223333:log-group:/ecs/checkout"),
        s("telemetry.sdk.name", "opentelemetry"),
        s("telemetry.sdk.language", "java"),
        s("telemetry.sdk.version", "1.67.0"));
  }
}
