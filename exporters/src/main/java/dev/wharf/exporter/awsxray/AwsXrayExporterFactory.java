package dev.wharf.exporter.awsxray;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.pipeline.Signal;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Map;

/** {@code awsxray}: traces to AWS X-Ray with PutTraceSegments (docs/components/awsxray-exporter.md). */
public final class AwsXrayExporterFactory implements ExporterFactory<AwsXrayConfig> {

  @Override
  public String type() {
    return "awsxray";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA);
  }

  @Override
  public AwsXrayConfig parseConfig(ConfigNode node) {
    return AwsXrayConfig.parse(node);
  }

  @Override
  public <T extends Message> Exporter<T> createExporter(ComponentContext context, AwsXrayConfig config,
      Signal<T> signal) {
    if (signal != Signal.TRACES) {
      throw new IllegalArgumentException("awsxray exports traces only, not " + signal);
    }
    XraySender sender = new XraySender(context, config, translator(config, context.env()));
    @SuppressWarnings("unchecked")
    Exporter<T> exporter = (Exporter<T>) ExporterHelper.builder(context, Signal.TRACES, config.exporter(), sender)
        .lifecycle(sender)
        .build();
    return exporter;
  }

  static SpanToSegment translator(AwsXrayConfig config, Map<String, String> env) {
    FeatureGates gates = FeatureGates.from(env);
    return new SpanToSegment(new SpanToSegment.Options(config.indexedAttributes(), config.indexAllAttributes(),
        config.awsLogGroups(), gates.skipTimestampValidation(), gates.allowDot(),
        SpanToSegment.Options.MAX_DOCUMENT_BYTES));
  }
}
