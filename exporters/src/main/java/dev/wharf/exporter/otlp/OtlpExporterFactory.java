package dev.wharf.exporter.otlp;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.util.Map;

/**
 * Factory of the {@code otlp} exporter (OTLP over gRPC; traces, metrics, logs: stable). Queue,
 * retries, timeout and self-metrics come from the exporter helper; partial success is counted as
 * failed items and logged.
 */
public final class OtlpExporterFactory implements ExporterFactory<OtlpExporterConfig> {

  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.STABLE, Signal.METRICS, Stability.STABLE, Signal.LOGS, Stability.STABLE);
  }

  @Override
  public OtlpExporterConfig parseConfig(ConfigNode node) {
    return OtlpExporterConfig.parse(node);
  }

  @Override
  public <T extends Message> Exporter<T> createExporter(ComponentContext context, OtlpExporterConfig config,
      Signal<T> signal) {
    OtlpGrpcSender<T, ?> sender;
    if (signal == Signal.TRACES) {
      sender = new OtlpGrpcSender<>(config, TraceServiceGrpc.SERVICE_NAME, signal.empty(),
          ExportTraceServiceResponse.getDefaultInstance(), context.buildInfo());
    } else if (signal == Signal.METRICS) {
      sender = new OtlpGrpcSender<>(config, MetricsServiceGrpc.SERVICE_NAME, signal.empty(),
          ExportMetricsServiceResponse.getDefaultInstance(), context.buildInfo());
    } else {
      sender = new OtlpGrpcSender<>(config, LogsServiceGrpc.SERVICE_NAME, signal.empty(),
          ExportLogsServiceResponse.getDefaultInstance(), context.buildInfo());
    }
    return ExporterHelper.builder(context, signal, config.settings(), sender).lifecycle(sender).build();
  }
}
