package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestHost;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Starts an otlp receiver from YAML with recording consumers, and compares SDK data with OTLP protos. */
final class OtlpTestSupport {
  private OtlpTestSupport() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(String text) {
    Object o = new Load(LoadSettings.builder().build()).loadFromString(text);
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  /** Binds the config; returns the problems (unknown keys included). */
  static ConfigProblems problems(String yamlText) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("receivers.otlp", yaml(yamlText), problems);
    new OtlpReceiverFactory().parseConfig(node);
    node.checkUnknownKeys();
    return problems;
  }

  static OtlpReceiverConfig config(String yamlText) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("receivers.otlp", yaml(yamlText), problems);
    OtlpReceiverConfig c = new OtlpReceiverFactory().parseConfig(node);
    node.checkUnknownKeys();
    problems.throwIfAny();
    return c;
  }

  /** A running receiver with a recording consumer per signal (null signals are not consumed). */
  static final class Running implements AutoCloseable {
    final SelfTelemetry telemetry = SelfTelemetry.inMemory();
    final RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
    final RecordingConsumer<MetricsData> metrics = new RecordingConsumer<>(Signal.METRICS);
    final RecordingConsumer<LogsData> logs = new RecordingConsumer<>(Signal.LOGS);
    final OtlpReceiver receiver;

    Running(String yamlText, boolean withTraces, boolean withMetrics, boolean withLogs) throws Exception {
      OtlpReceiverConfig c = config(yamlText);
      receiver = (OtlpReceiver) new OtlpReceiverFactory().createReceiver(
          TestContexts.context("otlp", ComponentKind.RECEIVER, null, telemetry, Map.of()), c,
          new Consumers(withTraces ? traces : null, withMetrics ? metrics : null, withLogs ? logs : null));
      receiver.start(new TestHost());
    }

    Running(String yamlText) throws Exception {
      this(yamlText, true, true, true);
    }

    double metric(String name, String... labels) {
      return TestContexts.metric(telemetry, name, labels);
    }

    String httpBase() {
      return "http://127.0.0.1:" + receiver.httpPort();
    }

    @Override
    public void close() {
      receiver.shutdown(System.nanoTime() + 2_000_000_000L);
    }
  }

  /** Both protocols on loopback ports picked by the OS. */
  static String bothProtocols() {
    return """
        protocols:
          grpc:
            endpoint: 127.0.0.1:0
          http:
            endpoint: 127.0.0.1:0
        """;
  }

  // ------------------------------------------------------------------ comparisons

  /** SDK attributes as plain Java values (arrays as lists), to compare with {@link #fromProto}. */
  static Map<String, Object> fromSdk(Attributes attributes) {
    Map<String, Object> out = new LinkedHashMap<>();
    attributes.forEach((AttributeKey<?> k, Object v) -> out.put(k.getKey(), v instanceof List<?> l ? new ArrayList<>(l) : v));
    return out;
  }

  static Map<String, Object> fromProto(List<KeyValue> kvs) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (KeyValue kv : kvs) {
      out.put(kv.getKey(), value(kv.getValue()));
    }
    return out;
  }

  static Object value(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case ARRAY_VALUE: {
        List<Object> l = new ArrayList<>();
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          l.add(value(e));
        }
        return l;
      }
      case KVLIST_VALUE:
        return fromProto(v.getKvlistValue().getValuesList());
      case BYTES_VALUE:
        return v.getBytesValue();
      default:
        return null;
    }
  }

  static void assertSameAttributes(Attributes sdk, List<KeyValue> proto) {
    assertThat(new HashMap<>(fromProto(proto))).isEqualTo(new HashMap<>(fromSdk(sdk)));
  }
}
