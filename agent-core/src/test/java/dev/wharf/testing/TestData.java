package dev.wharf.testing;

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

/** Small, valid OTLP data for tests. */
public final class TestData {
  private TestData() {}

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  public static Resource resource(String serviceName) {
    return Resource.newBuilder().addAttributes(attr("service.name", serviceName)).build();
  }

  /** {@code spans} spans under one resource and one scope; ids derive from {@code seed}. */
  public static TracesData traces(String serviceName, int spans, long seed) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("test"));
    long now = 1_700_000_000_000_000_000L;
    for (int i = 0; i < spans; i++) {
      ss.addSpans(Span.newBuilder()
          .setTraceId(id(16, seed, i))
          .setSpanId(id(8, seed, i))
          .setName("span-" + i)
          .setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(now + i)
          .setEndTimeUnixNano(now + i + 1_000_000)
          .addAttributes(attr("index", Integer.toString(i))));
    }
    return TracesData.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource(serviceName)).addScopeSpans(ss))
        .build();
  }

  /** One gauge metric with {@code points} data points. */
  public static MetricsData metrics(String serviceName, int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) {
      g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i).setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .addAttributes(attr("index", Integer.toString(i))));
    }
    return MetricsData.newBuilder()
        .addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource(serviceName))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .addMetrics(Metric.newBuilder().setName("test.gauge").setUnit("1").setGauge(g))))
        .build();
  }

  public static LogsData logs(String serviceName, int records) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    for (int i = 0; i < records; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1_700_000_000_000_000_000L + i)
          .setBody(AnyValue.newBuilder().setStringValue("log " + i)));
    }
    return LogsData.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource(serviceName)).addScopeLogs(sl))
        .build();
  }

  private static ByteString id(int len, long seed, int i) {
    ByteBuffer b = ByteBuffer.allocate(len);
    b.putLong(seed * 31 + i + 1);
    if (len == 16) {
      b.putLong(seed + i + 7);
    }
    return ByteString.copyFrom(b.array());
  }
}
