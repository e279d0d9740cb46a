package dev.wharf.embed;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentId;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OpenTelemetry SDK exporters that hand telemetry to an embedded {@link Wharf} in-process, through
 * its {@code inprocess} receiver: no serialisation to bytes, no port.
 *
 * <pre>{@code
 * // config: receivers: {inprocess: {}}, service.pipelines.traces.receivers: [inprocess] ...
 * Wharf wharf = Wharf.builder().config(yaml).start();
 * SdkTracerProvider tracing = SdkTracerProvider.builder()
 *     .addSpanProcessor(BatchSpanProcessor.builder(WharfSdkExporters.spanExporter(wharf)).build())
 *     .build();
 * }</pre>
 *
 * Requires {@code io.opentelemetry:opentelemetry-sdk} on the application's class path. A refusal by
 * the pipeline (e.g. the memory limiter) fails the export, so the SDK's processor counts the drop.
 */
public final class WharfSdkExporters {
  private static final Logger LOG = Logger.getLogger("wharf.receiver.inprocess");

  private WharfSdkExporters() {}

  public static SpanExporter spanExporter(Wharf wharf) {
    return spanExporter(wharf, "inprocess");
  }

  /** A span exporter feeding the {@code inprocess} receiver with the given id. */
  public static SpanExporter spanExporter(Wharf wharf, String receiverId) {
    InProcessReceiverFactory.InProcessReceiver r = receiver(wharf, receiverId);
    return new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        return push(r, Signal.TRACES, () -> SdkToOtlp.traces(spans));
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  public static MetricExporter metricExporter(Wharf wharf) {
    return metricExporter(wharf, "inprocess");
  }

  /** A metric exporter (cumulative temporality, as the OTLP exporter's default). */
  public static MetricExporter metricExporter(Wharf wharf, String receiverId) {
    InProcessReceiverFactory.InProcessReceiver r = receiver(wharf, receiverId);
    return new MetricExporter() {
      @Override
      public CompletableResultCode export(Collection<MetricData> metrics) {
        return push(r, Signal.METRICS, () -> SdkToOtlp.metrics(metrics));
      }

      @Override
      public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
      }

      @Override
      public MemoryMode getMemoryMode() {
        // The data is converted before export returns, so the SDK may reuse its objects.
        return MemoryMode.IMMUTABLE_DATA;
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  public static LogRecordExporter logRecordExporter(Wharf wharf) {
    return logRecordExporter(wharf, "inprocess");
  }

  public static LogRecordExporter logRecordExporter(Wharf wharf, String receiverId) {
    InProcessReceiverFactory.InProcessReceiver r = receiver(wharf, receiverId);
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        return push(r, Signal.LOGS, () -> SdkToOtlp.logs(logs));
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  private static <T extends com.google.protobuf.Message> CompletableResultCode push(
      InProcessReceiverFactory.InProcessReceiver r, Signal<T> signal, java.util.function.Supplier<T> data) {
    try {
      r.push(signal, data.get());
      return CompletableResultCode.ofSuccess();
    } catch (RefusedException e) {
      LOG.log(Level.FINE, "in-process export refused: {0}", e.getMessage());
      return CompletableResultCode.ofExceptionalFailure(e);
    }
  }

  private static InProcessReceiverFactory.InProcessReceiver receiver(Wharf wharf, String id) {
    Component c = wharf.service().receiver(ComponentId.parse(id)).orElseThrow(() -> new IllegalArgumentException(
        "receiver '" + id + "' is not in any pipeline of this Wharf; add 'receivers: {" + id + ": {}}' and use it"));
    if (!(c instanceof InProcessReceiverFactory.InProcessReceiver r)) {
      throw new IllegalArgumentException("receiver '" + id + "' is not an inprocess receiver");
    }
    return r;
  }
}
