package dev.wharf.testing;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.exporterhelper.ExporterSettings;
import dev.wharf.exporterhelper.RequestSender;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Map;

/**
 * A traces exporter on the real exporter helper (queue, retry, persistent storage, self-metrics)
 * whose "backend" is whatever {@link RequestSender} the test gives: a recorder, one that can be
 * switched off, a slow one. Its config is the helper's ({@code sending_queue}, {@code retry_on_failure},
 * {@code timeout}).
 */
public final class BackendExporterFactory implements ExporterFactory<ExporterSettings> {
  private final String type;
  private final RequestSender<TracesData> backend;

  public BackendExporterFactory(String type, RequestSender<TracesData> backend) {
    this.type = type;
    this.backend = backend;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.ALPHA);
  }

  @Override
  public ExporterSettings parseConfig(ConfigNode node) {
    return ExporterSettings.parse(node, ExporterSettings.DEFAULT);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends Message> Exporter<T> createExporter(ComponentContext context, ExporterSettings config,
      Signal<T> signal) {
    return (Exporter<T>) ExporterHelper.builder(context, Signal.TRACES, config, backend).build();
  }
}
