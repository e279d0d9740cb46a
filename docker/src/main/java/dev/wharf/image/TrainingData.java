package dev.wharf.image;

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

/** Small, valid OTLP requests for the training run (what an instrumented app sends first). */
final class TrainingData {
    private static final long NOW = 1_700_000_000_000_000_000L;

    private TrainingData() {}

    private static Resource resource() {
        return Resource.newBuilder()
                .addAttributes(attribute("service.name", "wharf-training"))
                .addAttributes(attribute("telemetry.sdk.language", "java"))
                .build();
    }

    private static KeyValue attribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static byte[] traceId(int round) {
        byte[] id = new byte[16];
        id[0] = 0x65;
        id[15] = (byte) (round + 1);
        return id;
    }

    static byte[] tracesProtobuf(int round) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("training"));
        for (int i = 0; i < 10; i++) {
            scope.addSpans(Span.newBuilder()
                    .setTraceId(ByteString.copyFrom(traceId(round)))
                    .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, (byte) round, (byte) (i + 1)}))
                    .setName("GET /training/" + i)
                    .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(NOW + i)
                    .setEndTimeUnixNano(NOW + i + 1_000_000)
                    .addAttributes(attribute("http.request.method", "GET")));
        }
        return TracesData.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()).addScopeSpans(scope))
                .build().toByteArray();
    }

    static byte[] metricsProtobuf(int round) {
        Metric gauge = Metric.newBuilder().setName("training.gauge").setUnit("1")
                .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
                        .setTimeUnixNano(NOW).setAsDouble(round).addAttributes(attribute("k", "v"))))
                .build();
        return MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource())
                .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(gauge))).build().toByteArray();
    }

    static byte[] logsProtobuf(int round) {
        LogRecord record = LogRecord.newBuilder().setTimeUnixNano(NOW).setSeverityText("INFO")
                .setBody(AnyValue.newBuilder().setStringValue("training log " + round)).build();
        return LogsData.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource())
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build().toByteArray();
    }
}
