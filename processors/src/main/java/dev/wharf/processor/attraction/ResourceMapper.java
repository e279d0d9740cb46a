package dev.wharf.processor.attraction;

import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;

/**
 * Rewrites the {@code Resource} (and optionally the schema URL) of every top-level
 * {@code ResourceSpans / ResourceMetrics / ResourceLogs} entry of any signal, sharing every entry
 * (and every span, point, record) the transform leaves untouched. One implementation for the
 * resource and resourcedetection processors.
 */
public final class ResourceMapper {
  private ResourceMapper() {}

  /** What to do with one entry's resource and schema URL. */
  public interface Transform {
    /** The new resource; return {@code resource} itself when unchanged. */
    Resource resource(Resource resource);

    /** The entry's new schema URL; {@code current} itself when unchanged. */
    default String schemaUrl(String current) {
      return current;
    }
  }

  public static <T extends com.google.protobuf.Message> T map(Signal<T> signal, T data, Transform t) {
    Object out;
    if (signal == Signal.TRACES) {
      out = traces((TracesData) data, t);
    } else if (signal == Signal.METRICS) {
      out = metrics((MetricsData) data, t);
    } else {
      out = logs((LogsData) data, t);
    }
    return signal.cast(out);
  }

  static TracesData traces(TracesData data, Transform t) {
    List<ResourceSpans> list = data.getResourceSpansList();
    TracesData.Builder b = null;
    for (int i = 0, n = list.size(); i < n; i++) {
      ResourceSpans rs = list.get(i);
      Resource r = t.resource(rs.getResource());
      String s = t.schemaUrl(rs.getSchemaUrl());
      if (r != rs.getResource() || !s.equals(rs.getSchemaUrl())) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceSpans(i, rs.toBuilder().setResource(r).setSchemaUrl(s));
      }
    }
    return b == null ? data : b.build();
  }

  static MetricsData metrics(MetricsData data, Transform t) {
    List<ResourceMetrics> list = data.getResourceMetricsList();
    MetricsData.Builder b = null;
    for (int i = 0, n = list.size(); i < n; i++) {
      ResourceMetrics rm = list.get(i);
      Resource r = t.resource(rm.getResource());
      String s = t.schemaUrl(rm.getSchemaUrl());
      if (r != rm.getResource() || !s.equals(rm.getSchemaUrl())) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceMetrics(i, rm.toBuilder().setResource(r).setSchemaUrl(s));
      }
    }
    return b == null ? data : b.build();
  }

  static LogsData logs(LogsData data, Transform t) {
    List<ResourceLogs> list = data.getResourceLogsList();
    LogsData.Builder b = null;
    for (int i = 0, n = list.size(); i < n; i++) {
      ResourceLogs rl = list.get(i);
      Resource r = t.resource(rl.getResource());
      String s = t.schemaUrl(rl.getSchemaUrl());
      if (r != rl.getResource() || !s.equals(rl.getSchemaUrl())) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceLogs(i, rl.toBuilder().setResource(r).setSchemaUrl(s));
      }
    }
    return b == null ? data : b.build();
  }
}
