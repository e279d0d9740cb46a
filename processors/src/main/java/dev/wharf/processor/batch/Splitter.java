package dev.wharf.processor.batch;

import com.google.protobuf.Message;
import dev.wharf.pipeline.Signal;
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

/**
 * Cuts the first {@code n} items (spans, metric data points, log records) off a message. Whole
 * {@code Resource*}/{@code Scope*} entries are shared; only the one entry that straddles the cut is
 * rebuilt, as two containers with the same resource and scope (and every other field) holding
 * their share of the original, unchanged items. A metric whose data points straddle the cut is
 * rebuilt the same way, keeping name, unit, type and temporality.
 */
final class Splitter {
  private Splitter() {}

  /** The first {@code n} items and the rest; {@code n} must be below the item count. */
  record Parts<T>(T head, T tail) {}

  @SuppressWarnings("unchecked")
  static <T extends Message> Parts<T> split(Signal<T> signal, T data, int n) {
    if (signal == Signal.TRACES) {
      return (Parts<T>) traces((TracesData) data, n);
    } else if (signal == Signal.METRICS) {
      return (Parts<T>) metrics((MetricsData) data, n);
    }
    return (Parts<T>) logs((LogsData) data, n);
  }

  static Parts<TracesData> traces(TracesData data, int n) {
    TracesData.Builder head = TracesData.newBuilder();
    TracesData.Builder tail = TracesData.newBuilder();
    int left = n;
    for (ResourceSpans rs : data.getResourceSpansList()) {
      if (left == 0) {
        tail.addResourceSpans(rs);
        continue;
      }
      int count = 0;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        count += ss.getSpansCount();
      }
      if (count <= left) {
        head.addResourceSpans(rs);
        left -= count;
        continue;
      }
      ResourceSpans.Builder h = rs.toBuilder().clearScopeSpans();
      ResourceSpans.Builder t = rs.toBuilder().clearScopeSpans();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        int c = ss.getSpansCount();
        if (left == 0) {
          t.addScopeSpans(ss);
        } else if (c <= left) {
          h.addScopeSpans(ss);
          left -= c;
        } else {
          h.addScopeSpans(ss.toBuilder().clearSpans().addAllSpans(ss.getSpansList().subList(0, left)));
          t.addScopeSpans(ss.toBuilder().clearSpans().addAllSpans(ss.getSpansList().subList(left, c)));
          left = 0;
        }
      }
      head.addResourceSpans(h);
      tail.addResourceSpans(t);
    }
    return new Parts<>(head.build(), tail.build());
  }

  static Parts<LogsData> logs(LogsData data, int n) {
    LogsData.Builder head = LogsData.newBuilder();
    LogsData.Builder tail = LogsData.newBuilder();
    int left = n;
    for (ResourceLogs rl : data.getResourceLogsList()) {
      if (left == 0) {
        tail.addResourceLogs(rl);
        continue;
      }
      int count = 0;
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        count += sl.getLogRecordsCount();
      }
      if (count <= left) {
        head.addResourceLogs(rl);
        left -= count;
        continue;
      }
      ResourceLogs.Builder h = rl.toBuilder().clearScopeLogs();
      ResourceLogs.Builder t = rl.toBuilder().clearScopeLogs();
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        int c = sl.getLogRecordsCount();
        if (left == 0) {
          t.addScopeLogs(sl);
        } else if (c <= left) {
          h.addScopeLogs(sl);
          left -= c;
        } else {
          h.addScopeLogs(sl.toBuilder().clearLogRecords().addAllLogRecords(sl.getLogRecordsList().subList(0, left)));
          t.addScopeLogs(sl.toBuilder().clearLogRecords().addAllLogRecords(sl.getLogRecordsList().subList(left, c)));
          left = 0;
        }
      }
      head.addResourceLogs(h);
      tail.addResourceLogs(t);
    }
    return new Parts<>(head.build(), tail.build());
  }

  static Parts<MetricsData> metrics(MetricsData data, int n) {
    MetricsData.Builder head = MetricsData.newBuilder();
    MetricsData.Builder tail = MetricsData.newBuilder();
    int left = n;
    for (ResourceMetrics rm : data.getResourceMetricsList()) {
      if (left == 0) {
        tail.addResourceMetrics(rm);
        continue;
      }
      int count = 0;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          count += Signal.dataPointCount(m);
        }
      }
      if (count <= left) {
        head.addResourceMetrics(rm);
        left -= count;
        continue;
      }
      ResourceMetrics.Builder h = rm.toBuilder().clearScopeMetrics();
      ResourceMetrics.Builder t = rm.toBuilder().clearScopeMetrics();
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        int c = 0;
        for (Metric m : sm.getMetricsList()) {
          c += Signal.dataPointCount(m);
        }
        if (left == 0) {
          t.addScopeMetrics(sm);
        } else if (c <= left) {
          h.addScopeMetrics(sm);
          left -= c;
        } else {
          ScopeMetrics.Builder hs = sm.toBuilder().clearMetrics();
          ScopeMetrics.Builder ts = sm.toBuilder().clearMetrics();
          for (Metric m : sm.getMetricsList()) {
            int p = Signal.dataPointCount(m);
            if (left == 0) {
              ts.addMetrics(m);
            } else if (p <= left) {
              hs.addMetrics(m);
              left -= p;
            } else {
              hs.addMetrics(slice(m, 0, left));
              ts.addMetrics(slice(m, left, p));
              left = 0;
            }
          }
          h.addScopeMetrics(hs);
          t.addScopeMetrics(ts);
        }
      }
      head.addResourceMetrics(h);
      tail.addResourceMetrics(t);
    }
    return new Parts<>(head.build(), tail.build());
  }

  /** The metric with only data points [from, to); everything else (name, temporality, ...) kept. */
  static Metric slice(Metric m, int from, int to) {
    Metric.Builder b = m.toBuilder();
    switch (m.getDataCase()) {
      case GAUGE:
        b.setGauge(m.getGauge().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getGauge().getDataPointsList().subList(from, to)));
        break;
      case SUM:
        b.setSum(m.getSum().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getSum().getDataPointsList().subList(from, to)));
        break;
      case HISTOGRAM:
        b.setHistogram(m.getHistogram().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getHistogram().getDataPointsList().subList(from, to)));
        break;
      case EXPONENTIAL_HISTOGRAM:
        b.setExponentialHistogram(m.getExponentialHistogram().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getExponentialHistogram().getDataPointsList().subList(from, to)));
        break;
      case SUMMARY:
        b.setSummary(m.getSummary().toBuilder().clearDataPoints()
            .addAllDataPoints(m.getSummary().getDataPointsList().subList(from, to)));
        break;
      default:
        break;
    }
    return b.build();
  }
}
