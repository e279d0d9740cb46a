package dev.wharf.exporter.otlp;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.receiver.otlp.OtlpReceiver;
import dev.wharf.receiver.otlp.OtlpReceiverFactory;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** A real otlp receiver as the backend, and exporters built from YAML through their factories. */
public final class OtlpExporterTestSupport {
  private OtlpExporterTestSupport() {}

  @SuppressWarnings("unchecked")
  public static Map<String, Object> yaml(String text) {
    Object o = new Load(LoadSettings.builder().build()).loadFromString(text);
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  /** Binds {@code yamlText} with {@code factory}; throws ConfigException listing problems. */
  public static <C> C config(ExporterFactory<C> factory, String id, String yamlText) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("exporters." + id, yaml(yamlText), problems);
    C c = factory.parseConfig(node);
    node.checkUnknownKeys();
    problems.throwIfAny();
    return c;
  }

  public static ConfigProblems problems(ExporterFactory<?> factory, String id, String yamlText) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("exporters." + id, yaml(yamlText), problems);
    factory.parseConfig(node);
    node.checkUnknownKeys();
    return problems;
  }

  /** A started exporter for {@code signal}. */
  public static <C, T extends Message> Exporter<T> exporter(ExporterFactory<C> factory, String id, String yamlText,
      Signal<T> signal, SelfTelemetry telemetry) throws Exception {
    C config = config(factory, id, yamlText);
    ComponentContext ctx = TestContexts.context(id, ComponentKind.EXPORTER, signal, telemetry, Map.of());
    Exporter<T> e = factory.createExporter(ctx, config, signal);
    e.start(new TestHost());
    return e;
  }

  /** An otlp receiver (gRPC and HTTP) recording everything it gets. */
  public static final class Backend implements AutoCloseable {
    public final SelfTelemetry telemetry = SelfTelemetry.inMemory();
    public final RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
    public final RecordingConsumer<MetricsData> metrics = new RecordingConsumer<>(Signal.METRICS);
    public final RecordingConsumer<LogsData> logs = new RecordingConsumer<>(Signal.LOGS);
    public final OtlpReceiver receiver;

    public Backend(int grpcPort, int httpPort) throws Exception {
      OtlpReceiverFactory f = new OtlpReceiverFactory();
      ConfigProblems problems = new ConfigProblems();
      var config = f.parseConfig(ConfigNode.of("receivers.otlp", yaml("""
          protocols:
            grpc:
              endpoint: 127.0.0.1:%d
            http:
              endpoint: 127.0.0.1:%d
          """.formatted(grpcPort, httpPort)), problems));
      problems.throwIfAny();
      receiver = (OtlpReceiver) f.createReceiver(TestContexts.context("otlp/backend", ComponentKind.RECEIVER, null,
          telemetry, Map.of()), config, new Consumers(traces, metrics, logs));
      receiver.start(new TestHost());
    }

    public Backend() throws Exception {
      this(0, 0);
    }

    @SuppressWarnings("unchecked")
    public <T extends Message> RecordingConsumer<T> recording(Signal<T> signal) {
      return (RecordingConsumer<T>) (signal == Signal.TRACES ? traces : signal == Signal.METRICS ? metrics : logs);
    }

    @Override
    public void close() {
      receiver.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

}
