package dev.wharf.exporter.otlphttp;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.util.Map;

/** Factory of the {@code otlphttp} exporter (OTLP over HTTP, protobuf or JSON; traces, metrics, logs: stable). */
public final class OtlpHttpExporterFactory implements ExporterFactory<OtlpHttpExporterConfig> {

  @Override
  public String type() {
    return "otlphttp";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.STABLE, Signal.METRICS, Stability.STABLE, Signal.LOGS, Stability.STABLE);
  }

  @Override
  public OtlpHttpExporterConfig parseConfig(ConfigNode node) {
    return OtlpHttpExporterConfig.parse(node);
  }

  @Override
  public <T extends Message> Exporter<T> createExporter(ComponentContext context, OtlpHttpExporterConfig config,
      Signal<T> signal) {
    URI uri = URI.create(config.signalUrl(signal));
    Message response = signal == Signal.TRACES ? ExportTraceServiceResponse.getDefaultInstance()
        : signal == Signal.METRICS ? ExportMetricsServiceResponse.getDefaultInstance()
        : ExportLogsServiceResponse.getDefaultInstance();
    OtlpHttpSender<T, Message> sender = new OtlpHttpSender<>(config, uri, response, context.buildInfo());
    return ExporterHelper.builder(context, signal, config.settings(), sender).lifecycle(sender).build();
  }
}
