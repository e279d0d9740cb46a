package dev.wharf.pipeline;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;

/**
 * One of the three kinds of telemetry a pipeline carries, with what the engine needs to treat every
 * signal through one implementation: counting items, concatenating batches, and (de)serialising for
 * persistent queues. The data model is the OTLP protobuf message itself (ARCHITECTURE.md).
 *
 * @param <T> {@link TracesData}, {@link MetricsData} or {@link LogsData}
 */
public abstract sealed class Signal<T extends com.google.protobuf.Message>
    permits Signal.Traces, Signal.Metrics, Signal.Logs {

  public static final Signal<TracesData> TRACES = new Traces();
  public static final Signal<MetricsData> METRICS = new Metrics();
  public static final Signal<LogsData> LOGS = new Logs();

  private static final List<Signal<?>> ALL = List.of(TRACES, METRICS, LOGS);

  private final String id;
  private final String itemName;

  private Signal(String id, String itemName) {
    this.id = id;
    this.itemName = itemName;
  }

  /** Every signal, in the order traces, metrics, logs. */
  public static List<Signal<?>> all() {
    return ALL;
  }

  /** The signal named {@code traces}, {@code metrics} or {@code logs}; null for anything else. */
  public static Signal<?> byId(String id) {
    for (Signal<?> s : ALL) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    return null;
  }

  /** {@code traces}, {@code metrics} or {@code logs}: the pipeline type name in the config. */
  public final String id() {
    return id;
  }

  /**
   * The upstream self-metric suffix for this signal's items: {@code spans}, {@code metric_points}
   * or {@code log_records} (as in {@code otelcol_receiver_accepted_spans}).
   */
  public final String itemName() {
    return itemName;
  }

  /** Spans, metric data points or log records in {@code data}: what upstream counts. */
  public abstract int itemCount(T data);

  /** Number of top-level {@code Resource*} entries. */
  public abstract int resourceCount(T data);

  /** One message holding every {@code Resource*} entry of the parts, in order; nothing is copied. */
  public abstract T concat(List<T> parts);

  public abstract T empty();

  public abstract T parse(byte[] bytes) throws InvalidProtocolBufferException;

  @SuppressWarnings("unchecked")
  public final T cast(Object data) {
    return (T) data;
  }

    /** Data points of one metric, whatever its type; a metric with no data set counts 0. */
  public static int dataPointCount(Metric m) {
    switch (m.getDataCase()) {
      case GAUGE:
        return m.getGauge().getDataPointsCount();
      case SUM:
        return m.getSum().getDataPointsCount();
      case HISTOGRAM:
        return m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM:
        return m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY:
        return m.getSummary().getDataPointsCount();
      default:
        return 0;
    }
  }

  @Override
  public final String toString() {
    return id;
  }

  static final class Traces extends Signal<TracesData> {
    private Traces() {
      super("traces", "spans");
    }

    @Override
    public int itemCount(TracesData data) {
      int n = 0;
      for (int i = 0, rc = data.getResourceSpansCount(); i < rc; i++) {
        ResourceSpans rs = data.getResourceSpans(i);
        for (int j = 0, sc = rs.getScopeSpansCount(); j < sc; j++) {
          n += rs.getScopeSpans(j).getSpansCount();
        }
      }
      return n;
    }

    @Override
    public int resourceCount(TracesData data) {
      return data.getResourceSpansCount();
    }

    @Override
    public TracesData concat(List<TracesData> parts) {
      if (parts.size() == 1) {
        return parts.get(0);
      }
      TracesData.Builder b = TracesData.newBuilder();
      for (TracesData p : parts) {
        b.addAllResourceSpans(p.getResourceSpansList());
      }
      return b.build();
    }

    @Override
    public TracesData empty() {
      return TracesData.getDefaultInstance();
    }

    @Override
    public TracesData parse(byte[] bytes) throws InvalidProtocolBufferException {
      return TracesData.parseFrom(bytes);
    }
  }

  static final class Metrics extends Signal<MetricsData> {
    private Metrics() {
      super("metrics", "metric_points");
    }

    @Override
    public int itemCount(MetricsData data) {
      int n = 0;
      for (int i = 0, rc = data.getResourceMetricsCount(); i < rc; i++) {
        ResourceMetrics rm = data.getResourceMetrics(i);
        for (int j = 0, sc = rm.getScopeMetricsCount(); j < sc; j++) {
          ScopeMetrics sm = rm.getScopeMetrics(j);
          for (int k = 0, mc = sm.getMetricsCount(); k < mc; k++) {
            n += dataPointCount(sm.getMetrics(k));
          }
        }
      }
      return n;
    }

    @Override
    public int resourceCount(MetricsData data) {
      return data.getResourceMetricsCount();
    }

    @Override
    public MetricsData concat(List<MetricsData> parts) {
      if (parts.size() == 1) {
        return parts.get(0);
      }
      MetricsData.Builder b = MetricsData.newBuilder();
      for (MetricsData p : parts) {
        b.addAllResourceMetrics(p.getResourceMetricsList());
      }
      return b.build();
    }

    @Override
    public MetricsData empty() {
      return MetricsData.getDefaultInstance();
    }

    @Override
    public MetricsData parse(byte[] bytes) throws InvalidProtocolBufferException {
      return MetricsData.parseFrom(bytes);
    }
  }

  static final class Logs extends Signal<LogsData> {
    private Logs() {
      super("logs", "log_records");
    }

    @Override
    public int itemCount(LogsData data) {
      int n = 0;
      for (int i = 0, rc = data.getResourceLogsCount(); i < rc; i++) {
        ResourceLogs rl = data.getResourceLogs(i);
        for (int j = 0, sc = rl.getScopeLogsCount(); j < sc; j++) {
          ScopeLogs sl = rl.getScopeLogs(j);
          n += sl.getLogRecordsCount();
        }
      }
      return n;
    }

    @Override
    public int resourceCount(LogsData data) {
      return data.getResourceLogsCount();
    }

    @Override
    public LogsData concat(List<LogsData> parts) {
      if (parts.size() == 1) {
        return parts.get(0);
      }
      LogsData.Builder b = LogsData.newBuilder();
      for (LogsData p : parts) {
        b.addAllResourceLogs(p.getResourceLogsList());
      }
      return b.build();
    }

    @Override
    public LogsData empty() {
      return LogsData.getDefaultInstance();
    }

    @Override
    public LogsData parse(byte[] bytes) throws InvalidProtocolBufferException {
      return LogsData.parseFrom(bytes);
    }
  }
}
