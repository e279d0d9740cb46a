package dev.wharf.exporter.debug;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.HexFormat;
import java.util.List;

/** Renders telemetry for the debug exporter's normal and detailed verbosity. */
final class DebugFormatter {
  private static final HexFormat HEX = HexFormat.of();

  private DebugFormatter() {}

  static String hex(ByteString b) {
    return HEX.formatHex(b.toByteArray());
  }

  static String attributes(List<KeyValue> attrs) {
    StringBuilder sb = new StringBuilder();
    for (KeyValue kv : attrs) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(kv.getKey()).append('=').append(value(kv.getValue()));
    }
    return sb.toString();
  }

  static String value(AnyValue v) {
    return dev.wharf.pipeline.AnyValues.asString(v);
  }

  static String normal(TracesData d) {
    StringBuilder sb = new StringBuilder();
    for (ResourceSpans rs : d.getResourceSpansList()) {
      sb.append("ResourceSpans #").append(attributes(rs.getResource().getAttributesList())).append('\n');
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span s : ss.getSpansList()) {
          sb.append(s.getName()).append(' ').append(hex(s.getTraceId())).append(' ').append(hex(s.getSpanId()))
              .append(' ').append(attributes(s.getAttributesList())).append('\n');
        }
      }
    }
    return sb.toString();
  }

  static String normal(MetricsData d) {
    StringBuilder sb = new StringBuilder();
    for (ResourceMetrics rm : d.getResourceMetricsList()) {
      sb.append("ResourceMetrics #").append(attributes(rm.getResource().getAttributesList())).append('\n');
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          sb.append(m.getName()).append(' ').append(m.getDataCase().name().toLowerCase(java.util.Locale.ROOT))
              .append(' ').append(dev.wharf.pipeline.Signal.dataPointCount(m)).append(" points\n");
        }
      }
    }
    return sb.toString();
  }

  static String normal(LogsData d) {
    StringBuilder sb = new StringBuilder();
    for (ResourceLogs rl : d.getResourceLogsList()) {
      sb.append("ResourceLog #").append(attributes(rl.getResource().getAttributesList())).append('\n');
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        for (LogRecord r : sl.getLogRecordsList()) {
          sb.append(value(r.getBody())).append(' ').append(attributes(r.getAttributesList())).append('\n');
        }
      }
    }
    return sb.toString();
  }
}
