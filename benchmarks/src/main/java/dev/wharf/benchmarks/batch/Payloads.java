package dev.wharf.benchmarks.batch;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.ByteBuffer;

/**
 * OTLP requests shaped like what an instrumented service sends: one resource with a few attributes,
 * one scope, N small spans / data points / log records with a couple of attributes each. Built once
 * per trial; the benchmarks hand the same immutable message over and over, as a receiver would hand
 * over what it parsed.
 */
public final class Payloads {
  private Payloads() {}

  static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static Resource resource() {
    return Resource.newBuilder()
        .addAttributes(attr("service.name", "checkout"))
        .addAttributes(attr("cloud.provider", "aws"))
        .addAttributes(attr("aws.ecs.task.arn", "arn:aws:ecs:us-west-2:123456789012:task/c/0123456789abcdef"))
        .build();
  }

  static ByteString id(int len, long seed) {
    ByteBuffer b = ByteBuffer.allocate(len);
    b.putLong(seed * 0x9E3779B97F4A7C15L + 1);
    if (len == 16) {
      b.putLong(seed + 7);
    }
    return ByteString.copyFrom(b.array());
  }

  public static TracesData traces(int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.servlet").setVersion("2.0"));
    long now = 1_700_000_000_000_000_000L;
    for (int i = 0; i < spans; i++) {
      ss.addSpans(Span.newBuilder().setTraceId(id(16, i / 10)).setSpanId(id(8, i)).setName("GET /orders/{id}")
          .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(now + i)
          .setEndTimeUnixNano(now + i + 1_500_000)
          .addAttributes(attr("http.request.method", "GET"))
          .addAttributes(attr("url.path", "/orders/" + i)));
    }
    return TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(resource())
        .addScopeSpans(ss)).build();
  }

  public static MetricsData metrics(int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i).setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .addAttributes(attr("container", "c" + (i % 8))));
    }
    return MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource())
        .addScopeMetrics(ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder().setName("statsd"))
            .addMetrics(Metric.newBuilder().setName("queue.depth").setUnit("1").setGauge(g)))).build();
  }

  public static LogsData logs(int records) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("app"));
    for (int i = 0; i < records; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setSeverityText("INFO").setBody(AnyValue.newBuilder().setStringValue("order " + i + " shipped"))
          .addAttributes(attr("logger", "com.example.Orders")));
    }
    return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource())
        .addScopeLogs(sl)).build();
  }
}
