package dev.wharf.processor.attributes;

import dev.wharf.component.Processor;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.processor.attraction.AttributeActions;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;

/**
 * Applies the attribute actions to span attributes, log record attributes or metric data point
 * attributes, for the items selected by {@code include} and not by {@code exclude}. Only the items
 * that change are rebuilt; everything else is shared.
 */
final class AttributesProcessor<T extends com.google.protobuf.Message> implements Processor<T> {
  private final Signal<T> signal;
  private final AttributeActions actions;
  private final MatchProperties include;
  private final MatchProperties exclude;
  private final TelemetryConsumer<T> next;

  AttributesProcessor(Signal<T> signal, AttributesProcessorConfig config, TelemetryConsumer<T> next) {
    this.signal = signal;
    this.actions = config.actions();
    this.include = config.include();
    this.exclude = config.exclude();
    this.next = next;
  }

  @Override
  public void consume(T data) {
    Object out;
    if (signal == Signal.TRACES) {
      out = traces((TracesData) data);
    } else if (signal == Signal.METRICS) {
      out = metrics((MetricsData) data);
    } else {
      out = logs((LogsData) data);
    }
    next.consume(signal.cast(out));
  }

  // ---------------------------------------------------------------- traces

  TracesData traces(TracesData data) {
    TracesData.Builder b = null;
    for (int i = 0; i < data.getResourceSpansCount(); i++) {
      ResourceSpans rs = data.getResourceSpans(i);
      ResourceSpans.Builder rsb = null;
      for (int j = 0; j < rs.getScopeSpansCount(); j++) {
        ScopeSpans ss = rs.getScopeSpans(j);
        ScopeSpans.Builder ssb = null;
        for (int k = 0; k < ss.getSpansCount(); k++) {
          Span span = ss.getSpans(k);
          if (!selected(rs.getResource(), ss.getScope(), span)) {
            continue;
          }
          List<KeyValue> in = span.getAttributesList();
          List<KeyValue> out = actions.apply(in);
          if (out != in) {
            if (ssb == null) {
              ssb = ss.toBuilder();
            }
            ssb.setSpans(k, span.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        if (ssb != null) {
          if (rsb == null) {
            rsb = rs.toBuilder();
          }
          rsb.setScopeSpans(j, ssb);
        }
      }
      if (rsb != null) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceSpans(i, rsb);
      }
    }
    return b == null ? data : b.build();
  }

  private boolean selected(Resource r, InstrumentationScope s, Span span) {
    return (include == null || include.matchesSpan(r, s, span))
        && (exclude == null || !exclude.matchesSpan(r, s, span));
  }

  // ---------------------------------------------------------------- logs

  LogsData logs(LogsData data) {
    LogsData.Builder b = null;
    for (int i = 0; i < data.getResourceLogsCount(); i++) {
      ResourceLogs rl = data.getResourceLogs(i);
      ResourceLogs.Builder rlb = null;
      for (int j = 0; j < rl.getScopeLogsCount(); j++) {
        ScopeLogs sl = rl.getScopeLogs(j);
        ScopeLogs.Builder slb = null;
        for (int k = 0; k < sl.getLogRecordsCount(); k++) {
          LogRecord log = sl.getLogRecords(k);
          if (!selected(rl.getResource(), sl.getScope(), log)) {
            continue;
          }
          List<KeyValue> in = log.getAttributesList();
          List<KeyValue> out = actions.apply(in);
          if (out != in) {
            if (slb == null) {
              slb = sl.toBuilder();
            }
            slb.setLogRecords(k, log.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        if (slb != null) {
          if (rlb == null) {
            rlb = rl.toBuilder();
          }
          rlb.setScopeLogs(j, slb);
        }
      }
      if (rlb != null) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceLogs(i, rlb);
      }
    }
    return b == null ? data : b.build();
  }

  private boolean selected(Resource r, InstrumentationScope s, LogRecord log) {
    return (include == null || include.matchesLog(r, s, log))
        && (exclude == null || !exclude.matchesLog(r, s, log));
  }

  // ---------------------------------------------------------------- metrics

  MetricsData metrics(MetricsData data) {
    MetricsData.Builder b = null;
    for (int i = 0; i < data.getResourceMetricsCount(); i++) {
      ResourceMetrics rm = data.getResourceMetrics(i);
      ResourceMetrics.Builder rmb = null;
      for (int j = 0; j < rm.getScopeMetricsCount(); j++) {
        ScopeMetrics sm = rm.getScopeMetrics(j);
        ScopeMetrics.Builder smb = null;
        for (int k = 0; k < sm.getMetricsCount(); k++) {
          Metric m = sm.getMetrics(k);
          if ((include != null && !include.matchesMetric(rm.getResource(), m))
              || (exclude != null && exclude.matchesMetric(rm.getResource(), m))) {
            continue;
          }
          Metric out = metric(m);
          if (out != m) {
            if (smb == null) {
              smb = sm.toBuilder();
            }
            smb.setMetrics(k, out);
          }
        }
        if (smb != null) {
          if (rmb == null) {
            rmb = rm.toBuilder();
          }
          rmb.setScopeMetrics(j, smb);
        }
      }
      if (rmb != null) {
        if (b == null) {
          b = data.toBuilder();
        }
        b.setResourceMetrics(i, rmb);
      }
    }
    return b == null ? data : b.build();
  }

  /** The metric with the actions applied to each data point; {@code m} itself if nothing changed. */
  private Metric metric(Metric m) {
    switch (m.getDataCase()) {
      case GAUGE: {
        Gauge.Builder g = null;
        for (int i = 0; i < m.getGauge().getDataPointsCount(); i++) {
          NumberDataPoint p = m.getGauge().getDataPoints(i);
          List<KeyValue> out = actions.apply(p.getAttributesList());
          if (out != p.getAttributesList()) {
            if (g == null) {
              g = m.getGauge().toBuilder();
            }
            g.setDataPoints(i, p.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        return g == null ? m : m.toBuilder().setGauge(g).build();
      }
      case SUM: {
        Sum.Builder s = null;
        for (int i = 0; i < m.getSum().getDataPointsCount(); i++) {
          NumberDataPoint p = m.getSum().getDataPoints(i);
          List<KeyValue> out = actions.apply(p.getAttributesList());
          if (out != p.getAttributesList()) {
            if (s == null) {
              s = m.getSum().toBuilder();
            }
            s.setDataPoints(i, p.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        return s == null ? m : m.toBuilder().setSum(s).build();
      }
      case HISTOGRAM: {
        Histogram.Builder h = null;
        for (int i = 0; i < m.getHistogram().getDataPointsCount(); i++) {
          HistogramDataPoint p = m.getHistogram().getDataPoints(i);
          List<KeyValue> out = actions.apply(p.getAttributesList());
          if (out != p.getAttributesList()) {
            if (h == null) {
              h = m.getHistogram().toBuilder();
            }
            h.setDataPoints(i, p.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        return h == null ? m : m.toBuilder().setHistogram(h).build();
      }
      case EXPONENTIAL_HISTOGRAM: {
        ExponentialHistogram.Builder h = null;
        for (int i = 0; i < m.getExponentialHistogram().getDataPointsCount(); i++) {
          ExponentialHistogramDataPoint p = m.getExponentialHistogram().getDataPoints(i);
          List<KeyValue> out = actions.apply(p.getAttributesList());
          if (out != p.getAttributesList()) {
            if (h == null) {
              h = m.getExponentialHistogram().toBuilder();
            }
            h.setDataPoints(i, p.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        return h == null ? m : m.toBuilder().setExponentialHistogram(h).build();
      }
      case SUMMARY: {
        Summary.Builder s = null;
        for (int i = 0; i < m.getSummary().getDataPointsCount(); i++) {
          SummaryDataPoint p = m.getSummary().getDataPoints(i);
          List<KeyValue> out = actions.apply(p.getAttributesList());
          if (out != p.getAttributesList()) {
            if (s == null) {
              s = m.getSummary().toBuilder();
            }
            s.setDataPoints(i, p.toBuilder().clearAttributes().addAllAttributes(out));
          }
        }
        return s == null ? m : m.toBuilder().setSummary(s).build();
      }
      default:
        return m;
    }
  }
}
