package dev.wharf.processor.resourcedetection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Builds resourcedetection processors from YAML for tests and runs one batch through them. */
final class ResourceDetectionTestSupport {
  private ResourceDetectionTestSupport() {}

  /** A host with fixed answers, so tests do not depend on the machine. */
  static final SystemDetector.Host FAKE_HOST = new SystemDetector.Host() {
    @Override
    public String osHostname() {
      return "ip-10-0-0-1";
    }

    @Override
    public String fqdn() {
      return "ip-10-0-0-1.ec2.internal";
    }

    @Override
    public String canonicalName(String host) throws IOException {
      throw new IOException("no CNAME for " + host);
    }

    @Override
    public String reverseLookup() {
      return "reverse.example";
    }

    @Override
    public String osName() {
      return "Linux";
    }

    @Override
    public String osVersion() {
      return "6.1.0";
    }

    @Override
    public String osArch() {
      return "aarch64";
    }

    @Override
    public String machineId() {
      return "0123abcd";
    }

    @Override
    public List<String> ips() {
      return List.of("10.0.0.1");
    }

    @Override
    public List<String> macs() {
      return List.of("0A-FF-E5-34-FA-C9");
    }

    @Override
    public Map<String, String> cpuInfo() {
      return Map.of("vendor_id", "GenuineIntel", "cache size", "512 KB");
    }
  };

  @SuppressWarnings("unchecked")
  static ResourceDetectionConfig config(String yaml) {
    ConfigProblems p = new ConfigProblems();
    ResourceDetectionConfig c = config(p, yaml);
    assertThat(p.list()).isEmpty();
    return c;
  }

  @SuppressWarnings("unchecked")
  static ResourceDetectionConfig config(ConfigProblems p, String yaml) {
    Object loaded = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    ConfigNode node = ConfigNode.of("processors.resourcedetection", (Map<String, Object>) loaded, p);
    ResourceDetectionConfig c = new ResourceDetectionProcessorFactory(FAKE_HOST).parseConfig(node);
    node.checkUnknownKeys();
    return c;
  }

  /** Starts a traces processor with {@code env}, sends one batch, returns the output resource. */
  static List<KeyValue> detectOnce(String yaml, Map<String, String> env) throws Exception {
    return detectOnce(yaml, env, SelfTelemetry.inMemory());
  }

  static List<KeyValue> detectOnce(String yaml, Map<String, String> env, SelfTelemetry telemetry) throws Exception {
    ResourceDetectionProcessorFactory f = new ResourceDetectionProcessorFactory(FAKE_HOST);
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    var p = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES,
        telemetry, env), config(yaml), Signal.TRACES, sink);
    p.start(new TestHost());
    try {
      p.consume(TracesData.newBuilder().addResourceSpans(
          io.opentelemetry.proto.trace.v1.ResourceSpans.getDefaultInstance()).build());
      return sink.all().getResourceSpans(0).getResource().getAttributesList();
    } finally {
      p.shutdown(System.nanoTime());
    }
  }
}
