package dev.wharf.embed;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
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
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.data.SummaryPointData;
import io.opentelemetry.sdk.metrics.data.ValueAtQuantile;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * OpenTelemetry Java SDK data ({@link SpanData}, {@link MetricData}, {@link LogRecordData}) as the
 * OTLP messages Wharf's pipelines carry, grouped by resource and instrumentation scope in order of
 * first appearance — the same messages the SDK's OTLP exporters would put on the wire.
 */
public final class SdkToOtlp {
  // Span and link flags carry whether the (parent) context is remote, as the SDK's exporters set them.
  private static final int CONTEXT_HAS_IS_REMOTE = 0x100;
  private static final int CONTEXT_IS_REMOTE = 0x200;

  private SdkToOtlp() {}

  public static TracesData traces(Collection<SpanData> spans) {
    Map<Resource, Map<InstrumentationScopeInfo, List<Span>>> grouped =
        group(spans, SpanData::getResource, SpanData::getInstrumentationScopeInfo, SdkToOtlp::span);
    TracesData.Builder out = TracesData.newBuilder();
    grouped.forEach((resource, scopes) -> {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource(resource))
          .setSchemaUrl(nullToEmpty(resource.getSchemaUrl()));
      scopes.forEach((scope, list) -> rs.addScopeSpans(ScopeSpans.newBuilder().setScope(scope(scope))
          .setSchemaUrl(nullToEmpty(scope.getSchemaUrl())).addAllSpans(list)));
      out.addResourceSpans(rs);
    });
    return out.build();
  }

  public static MetricsData metrics(Collection<MetricData> metrics) {
    Map<Resource, Map<InstrumentationScopeInfo, List<Metric>>> grouped =
        group(metrics, MetricData::getResource, MetricData::getInstrumentationScopeInfo, SdkToOtlp::metric);
    MetricsData.Builder out = MetricsData.newBuilder();
    grouped.forEach((resource, scopes) -> {
      ResourceMetrics.Builder rm = ResourceMetrics.newBuilder().setResource(resource(resource))
          .setSchemaUrl(nullToEmpty(resource.getSchemaUrl()));
      scopes.forEach((scope, list) -> rm.addScopeMetrics(ScopeMetrics.newBuilder().setScope(scope(scope))
          .setSchemaUrl(nullToEmpty(scope.getSchemaUrl())).addAllMetrics(list)));
      out.addResourceMetrics(rm);
    });
    return out.build();
  }

  public static LogsData logs(Collection<LogRecordData> logs) {
    Map<Resource, Map<InstrumentationScopeInfo, List<LogRecord>>> grouped =
        group(logs, LogRecordData::getResource, LogRecordData::getInstrumentationScopeInfo, SdkToOtlp::logRecord);
    LogsData.Builder out = LogsData.newBuilder();
    grouped.forEach((resource, scopes) -> {
      ResourceLogs.Builder rl = ResourceLogs.newBuilder().setResource(resource(resource))
          .setSchemaUrl(nullToEmpty(resource.getSchemaUrl()));
      scopes.forEach((scope, list) -> rl.addScopeLogs(ScopeLogs.newBuilder().setScope(scope(scope))
          .setSchemaUrl(nullToEmpty(scope.getSchemaUrl())).addAllLogRecords(list)));
      out.addResourceLogs(rl);
    });
    return out.build();
  }

  private static <D, P> Map<Resource, Map<InstrumentationScopeInfo, List<P>>> group(Collection<D> items,
      Function<D, Resource> resourceOf, Function<D, InstrumentationScopeInfo> scopeOf, Function<D, P> convert) {
    Map<Resource, Map<InstrumentationScopeInfo, List<P>>> out = new LinkedHashMap<>();
    for (D item : items) {
      out.computeIfAbsent(resourceOf.apply(item), r -> new LinkedHashMap<>())
          .computeIfAbsent(scopeOf.apply(item), s -> new ArrayList<>())
          .add(convert.apply(item));
    }
    return out;
  }

  // ---- common ----

  static io.opentelemetry.proto.resource.v1.Resource resource(Resource r) {
    return io.opentelemetry.proto.resource.v1.Resource.newBuilder()
        .addAllAttributes(attributes(r.getAttributes())).build();
  }

  static InstrumentationScope scope(InstrumentationScopeInfo s) {
    return InstrumentationScope.newBuilder().setName(s.getName()).setVersion(nullToEmpty(s.getVersion()))
        .addAllAttributes(attributes(s.getAttributes())).build();
  }

  static List<io.opentelemetry.proto.common.v1.KeyValue> attributes(Attributes attributes) {
    List<io.opentelemetry.proto.common.v1.KeyValue> out = new ArrayList<>(attributes.size());
    attributes.forEach((key, value) -> out.add(io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
        .setKey(key.getKey()).setValue(attributeValue(key, value)).build()));
    return out;
  }

  private static AnyValue attributeValue(AttributeKey<?> key, Object value) {
    switch (key.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) value).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) value).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) value).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) value).build();
      case STRING_ARRAY:
      case BOOLEAN_ARRAY:
      case LONG_ARRAY:
      case DOUBLE_ARRAY: {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (Object o : (List<?>) value) {
          a.addValues(scalar(o));
        }
        return AnyValue.newBuilder().setArrayValue(a).build();
      }
      default:
        return value instanceof Value<?> v ? anyValue(v) : AnyValue.newBuilder().setStringValue(String.valueOf(value)).build();
    }
  }

  private static AnyValue scalar(Object o) {
    if (o instanceof String s) {
      return AnyValue.newBuilder().setStringValue(s).build();
    } else if (o instanceof Boolean b) {
      return AnyValue.newBuilder().setBoolValue(b).build();
    } else if (o instanceof Long l) {
      return AnyValue.newBuilder().setIntValue(l).build();
    } else if (o instanceof Double d) {
      return AnyValue.newBuilder().setDoubleValue(d).build();
    }
    return AnyValue.newBuilder().setStringValue(String.valueOf(o)).build();
  }

  static AnyValue anyValue(Value<?> v) {
    switch (v.getType()) {
      case STRING:
        return AnyValue.newBuilder().setStringValue((String) v.getValue()).build();
      case BOOLEAN:
        return AnyValue.newBuilder().setBoolValue((Boolean) v.getValue()).build();
      case LONG:
        return AnyValue.newBuilder().setIntValue((Long) v.getValue()).build();
      case DOUBLE:
        return AnyValue.newBuilder().setDoubleValue((Double) v.getValue()).build();
      case BYTES:
        return AnyValue.newBuilder().setBytesValue(ByteString.copyFrom((ByteBuffer) v.getValue())).build();
      case ARRAY: {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (Object e : (List<?>) v.getValue()) {
          a.addValues(anyValue((Value<?>) e));
        }
        return AnyValue.newBuilder().setArrayValue(a).build();
      }
      case KEY_VALUE_LIST: {
        KeyValueList.Builder kv = KeyValueList.newBuilder();
        for (Object e : (List<?>) v.getValue()) {
          KeyValue k = (KeyValue) e;
          kv.addValues(io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey(k.getKey())
              .setValue(anyValue(k.getValue())));
        }
        return AnyValue.newBuilder().setKvlistValue(kv).build();
      }
      default:
        return AnyValue.getDefaultInstance();
    }
  }

  private static ByteString traceId(SpanContext c) {
    return ByteString.copyFrom(HexFormat.of().parseHex(c.getTraceId()));
  }

  private static ByteString spanId(SpanContext c) {
    return ByteString.copyFrom(HexFormat.of().parseHex(c.getSpanId()));
  }

  private static int flags(SpanContext c) {
    return (c.getTraceFlags().asByte() & 0xff) | CONTEXT_HAS_IS_REMOTE | (c.isRemote() ? CONTEXT_IS_REMOTE : 0);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  // ---- traces ----

  static Span span(SpanData s) {
    SpanContext ctx = s.getSpanContext();
    Span.Builder b = Span.newBuilder()
        .setTraceId(traceId(ctx))
        .setSpanId(spanId(ctx))
        .setTraceState(ctx.getTraceState().isEmpty() ? "" : w3c(ctx.getTraceState()))
        .setName(s.getName())
        .setKind(kind(s.getKind()))
        .setStartTimeUnixNano(s.getStartEpochNanos())
        .setEndTimeUnixNano(s.getEndEpochNanos())
        .addAllAttributes(attributes(s.getAttributes()))
        .setDroppedAttributesCount(s.getTotalAttributeCount() - s.getAttributes().size())
        .setDroppedEventsCount(s.getTotalRecordedEvents() - s.getEvents().size())
        .setDroppedLinksCount(s.getTotalRecordedLinks() - s.getLinks().size());
    SpanContext parent = s.getParentSpanContext();
    if (parent.isValid()) {
      b.setParentSpanId(spanId(parent));
    }
    b.setFlags(flags(parent.isValid() ? withFlags(ctx, parent.isRemote()) : withFlags(ctx, false)));
    for (EventData e : s.getEvents()) {
      b.addEvents(Span.Event.newBuilder().setTimeUnixNano(e.getEpochNanos()).setName(e.getName())
          .addAllAttributes(attributes(e.getAttributes()))
          .setDroppedAttributesCount(e.getTotalAttributeCount() - e.getAttributes().size()));
    }
    for (LinkData l : s.getLinks()) {
      SpanContext lc = l.getSpanContext();
      b.addLinks(Span.Link.newBuilder().setTraceId(traceId(lc)).setSpanId(spanId(lc))
          .setTraceState(lc.getTraceState().isEmpty() ? "" : w3c(lc.getTraceState()))
          .addAllAttributes(attributes(l.getAttributes()))
          .setDroppedAttributesCount(l.getTotalAttributeCount() - l.getAttributes().size())
          .setFlags(flags(lc)));
    }
    Status.Builder status = Status.newBuilder();
    switch (s.getStatus().getStatusCode()) {
      case OK:
        status.setCode(Status.StatusCode.STATUS_CODE_OK);
        break;
      case ERROR:
        status.setCode(Status.StatusCode.STATUS_CODE_ERROR);
        break;
      default:
        status.setCode(Status.StatusCode.STATUS_CODE_UNSET);
    }
    status.setMessage(nullToEmpty(s.getStatus().getDescription()));
    b.setStatus(status);
    return b.build();
  }

  // The span's own flags byte, with the remote bit taken from its parent (as the SDK does).
  private static SpanContext withFlags(SpanContext ctx, boolean parentRemote) {
    return parentRemote
        ? SpanContext.createFromRemoteParent(ctx.getTraceId(), ctx.getSpanId(), ctx.getTraceFlags(), ctx.getTraceState())
        : SpanContext.create(ctx.getTraceId(), ctx.getSpanId(), ctx.getTraceFlags(), ctx.getTraceState());
  }

  private static String w3c(io.opentelemetry.api.trace.TraceState state) {
    StringBuilder sb = new StringBuilder();
    state.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(k).append('=').append(v);
    });
    return sb.toString();
  }

  private static Span.SpanKind kind(io.opentelemetry.api.trace.SpanKind k) {
    switch (k) {
      case SERVER:
        return Span.SpanKind.SPAN_KIND_SERVER;
      case CLIENT:
        return Span.SpanKind.SPAN_KIND_CLIENT;
      case PRODUCER:
        return Span.SpanKind.SPAN_KIND_PRODUCER;
      case CONSUMER:
        return Span.SpanKind.SPAN_KIND_CONSUMER;
      default:
        return Span.SpanKind.SPAN_KIND_INTERNAL;
    }
  }

  // ---- metrics ----

  static Metric metric(MetricData m) {
    Metric.Builder b = Metric.newBuilder().setName(m.getName()).setDescription(m.getDescription())
        .setUnit(m.getUnit());
    switch (m.getType()) {
      case LONG_GAUGE: {
        Gauge.Builder g = Gauge.newBuilder();
        for (LongPointData p : m.getLongGaugeData().getPoints()) {
          g.addDataPoints(longPoint(p));
        }
        return b.setGauge(g).build();
      }
      case DOUBLE_GAUGE: {
        Gauge.Builder g = Gauge.newBuilder();
        for (DoublePointData p : m.getDoubleGaugeData().getPoints()) {
          g.addDataPoints(doublePoint(p));
        }
        return b.setGauge(g).build();
      }
      case LONG_SUM: {
        SumData<LongPointData> d = m.getLongSumData();
        Sum.Builder s = Sum.newBuilder().setIsMonotonic(d.isMonotonic())
            .setAggregationTemporality(temporality(d.getAggregationTemporality()));
        for (LongPointData p : d.getPoints()) {
          s.addDataPoints(longPoint(p));
        }
        return b.setSum(s).build();
      }
      case DOUBLE_SUM: {
        SumData<DoublePointData> d = m.getDoubleSumData();
        Sum.Builder s = Sum.newBuilder().setIsMonotonic(d.isMonotonic())
            .setAggregationTemporality(temporality(d.getAggregationTemporality()));
        for (DoublePointData p : d.getPoints()) {
          s.addDataPoints(doublePoint(p));
        }
        return b.setSum(s).build();
      }
      case HISTOGRAM: {
        Histogram.Builder h = Histogram.newBuilder()
            .setAggregationTemporality(temporality(m.getHistogramData().getAggregationTemporality()));
        for (HistogramPointData p : m.getHistogramData().getPoints()) {
          HistogramDataPoint.Builder dp = HistogramDataPoint.newBuilder()
              .setStartTimeUnixNano(p.getStartEpochNanos()).setTimeUnixNano(p.getEpochNanos())
              .addAllAttributes(attributes(p.getAttributes()))
              .setCount(p.getCount()).setSum(p.getSum())
              .addAllBucketCounts(p.getCounts()).addAllExplicitBounds(p.getBoundaries())
              .addAllExemplars(exemplars(p.getExemplars()));
          if (p.hasMin()) {
            dp.setMin(p.getMin());
          }
          if (p.hasMax()) {
            dp.setMax(p.getMax());
          }
          h.addDataPoints(dp);
        }
        return b.setHistogram(h).build();
      }
      case EXPONENTIAL_HISTOGRAM: {
        ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder()
            .setAggregationTemporality(temporality(m.getExponentialHistogramData().getAggregationTemporality()));
        for (ExponentialHistogramPointData p : m.getExponentialHistogramData().getPoints()) {
          ExponentialHistogramDataPoint.Builder dp = ExponentialHistogramDataPoint.newBuilder()
              .setStartTimeUnixNano(p.getStartEpochNanos()).setTimeUnixNano(p.getEpochNanos())
              .addAllAttributes(attributes(p.getAttributes()))
              .setCount(p.getCount()).setSum(p.getSum()).setScale(p.getScale())
              .setZeroCount(p.getZeroCount())
              .setPositive(buckets(p.getPositiveBuckets())).setNegative(buckets(p.getNegativeBuckets()))
              .addAllExemplars(exemplars(p.getExemplars()));
          if (p.hasMin()) {
            dp.setMin(p.getMin());
          }
          if (p.hasMax()) {
            dp.setMax(p.getMax());
          }
          h.addDataPoints(dp);
        }
        return b.setExponentialHistogram(h).build();
      }
      case SUMMARY: {
        Summary.Builder s = Summary.newBuilder();
        for (SummaryPointData p : m.getSummaryData().getPoints()) {
          SummaryDataPoint.Builder dp = SummaryDataPoint.newBuilder()
              .setStartTimeUnixNano(p.getStartEpochNanos()).setTimeUnixNano(p.getEpochNanos())
              .addAllAttributes(attributes(p.getAttributes())).setCount(p.getCount()).setSum(p.getSum());
          for (ValueAtQuantile q : p.getValues()) {
            dp.addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder()
                .setQuantile(q.getQuantile()).setValue(q.getValue()));
          }
          s.addDataPoints(dp);
        }
        return b.setSummary(s).build();
      }
      default:
        return b.build();
    }
  }

  private static ExponentialHistogramDataPoint.Buckets buckets(ExponentialHistogramBuckets b) {
    return ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(b.getOffset())
        .addAllBucketCounts(b.getBucketCounts()).build();
  }

  private static NumberDataPoint longPoint(LongPointData p) {
    return NumberDataPoint.newBuilder().setStartTimeUnixNano(p.getStartEpochNanos())
        .setTimeUnixNano(p.getEpochNanos()).addAllAttributes(attributes(p.getAttributes()))
        .setAsInt(p.getValue()).addAllExemplars(exemplars(p.getExemplars())).build();
  }

  private static NumberDataPoint doublePoint(DoublePointData p) {
    return NumberDataPoint.newBuilder().setStartTimeUnixNano(p.getStartEpochNanos())
        .setTimeUnixNano(p.getEpochNanos()).addAllAttributes(attributes(p.getAttributes()))
        .setAsDouble(p.getValue()).addAllExemplars(exemplars(p.getExemplars())).build();
  }

  private static List<Exemplar> exemplars(List<? extends ExemplarData> in) {
    List<Exemplar> out = new ArrayList<>(in.size());
    for (ExemplarData e : in) {
      Exemplar.Builder b = Exemplar.newBuilder().setTimeUnixNano(e.getEpochNanos())
          .addAllFilteredAttributes(attributes(e.getFilteredAttributes()));
      if (e instanceof LongExemplarData l) {
        b.setAsInt(l.getValue());
      } else if (e instanceof DoubleExemplarData d) {
        b.setAsDouble(d.getValue());
      }
      if (e.getSpanContext().isValid()) {
        b.setTraceId(traceId(e.getSpanContext())).setSpanId(spanId(e.getSpanContext()));
      }
      out.add(b.build());
    }
    return out;
  }

  private static AggregationTemporality temporality(io.opentelemetry.sdk.metrics.data.AggregationTemporality t) {
    return t == io.opentelemetry.sdk.metrics.data.AggregationTemporality.DELTA
        ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
        : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  }

  // ---- logs ----

  static LogRecord logRecord(LogRecordData r) {
    LogRecord.Builder b = LogRecord.newBuilder()
        .setTimeUnixNano(r.getTimestampEpochNanos())
        .setObservedTimeUnixNano(r.getObservedTimestampEpochNanos())
        .setSeverityNumber(SeverityNumber.forNumber(r.getSeverity().getSeverityNumber()))
        .setSeverityText(nullToEmpty(r.getSeverityText()))
        .addAllAttributes(attributes(r.getAttributes()))
        .setDroppedAttributesCount(r.getTotalAttributeCount() - r.getAttributes().size());
    Value<?> body = r.getBodyValue();
    if (body != null) {
      b.setBody(anyValue(body));
    }
    SpanContext ctx = r.getSpanContext();
    if (ctx.isValid()) {
      b.setTraceId(traceId(ctx)).setSpanId(spanId(ctx)).setFlags(ctx.getTraceFlags().asByte() & 0xff);
    }
    String eventName = r.getEventName();
    if (eventName != null) {
      b.setEventName(eventName);
    }
    return b.build();
  }
}
