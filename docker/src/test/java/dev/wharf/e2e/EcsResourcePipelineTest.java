package dev.wharf.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigProblems;
import dev.wharf.ecs.EcsFixtureCases;
import dev.wharf.embed.Wharf;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.attributes.AttributesProcessorFactory;
import dev.wharf.processor.resource.ResourceProcessorFactory;
import dev.wharf.processor.resourcedetection.ResourceDetectionProcessorFactory;
import dev.wharf.testing.EcsMetadataServer;
import dev.wharf.testing.FreePort;
import dev.wharf.testing.TestComponents;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The processors of the ADOT preset {@code ecs-cloudwatch-xray.yaml}, taken verbatim from the
 * fixture, running in a real Wharf service against the loopback task metadata endpoint replaying
 * the Fargate capture: traces get the detected ECS resource, metrics get it renamed.
 */
class EcsResourcePipelineTest {

  static Path preset(String name) {
    return EcsMetadataServer.sharedDir().resolve("fixtures/adot-configs").resolve(name);
  }

  /** The preset's processors, with recording test receivers/exporters in place of otlp/awsxray/awsemf. */
  @SuppressWarnings("unchecked")
  static String config() throws Exception {
    Map<String, Object> preset = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadFromString(Files.readString(preset("ecs-cloudwatch-xray.yaml")));
    Map<String, Object> processors = (Map<String, Object>) preset.get("processors");
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("receivers", Map.of("testrcv", Map.of()));
    cfg.put("processors", Map.of(
        "resourcedetection", processors.get("resourcedetection"),
        "resource", processors.get("resource")));
    cfg.put("exporters", Map.of("testexp", Map.of()));
    cfg.put("service", Map.of("pipelines", Map.of(
        "traces", Map.of("receivers", List.of("testrcv"), "processors", List.of("resourcedetection"),
            "exporters", List.of("testexp")),
        "metrics/application", Map.of("receivers", List.of("testrcv"),
            "processors", List.of("resourcedetection", "resource"), "exporters", List.of("testexp")))));
    return new Dump(DumpSettings.builder().build()).dumpToString(cfg);
  }

  static Map<String, Object> plain(List<KeyValue> attrs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (KeyValue kv : attrs) {
      AnyValue v = kv.getValue();
      m.put(kv.getKey(), v.hasArrayValue()
          ? v.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList() : v.getStringValue());
    }
    return m;
  }

  static Wharf start(TestComponents tc, Map<String, String> env) throws Exception {
    return Wharf.builder()
        .components(tc.components(new ResourceDetectionProcessorFactory(), new ResourceProcessorFactory(),
            new AttributesProcessorFactory()))
        .config(config())
        .env(env)
        .start();
  }

  @Test
  void fargateTaskResourceReachesTracesAndRenamedMetrics() throws Exception {
    EcsFixtureCases.Case fargate = EcsFixtureCases.all().get(3);
    TestComponents tc = new TestComponents();
    try (EcsMetadataServer ecs = fargate.startServer()) {
      Map<String, String> env = new HashMap<>(ecs.env());
      // Not on EC2: the ec2 detector finds nothing listening and adds nothing.
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + FreePort.pick());
      env.put("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod%2Ceu");
      try (Wharf wharf = start(tc, env)) {
        tc.sendTraces("testrcv", TestData.traces("checkout", 2, 7));
        tc.receivers.get("testrcv").metrics().consume(TestData.metrics("checkout", 2));
        wharf.shutdown();

        TracesData traces = tc.exported("testexp", Signal.TRACES).all();
        List<KeyValue> traceAttrs = traces.getResourceSpans(0).getResource().getAttributesList();
        assertThat(traceAttrs.get(0)).isEqualTo(TestData.attr("service.name", "checkout"));
        Map<String, Object> expected = new LinkedHashMap<>(fargate.expected());
        expected.put("deployment.environment", "prod,eu");
        EcsFixtureCases.assertAttributes("traces", traceAttrs.subList(1, traceAttrs.size()), expected);

        MetricsData metrics = tc.exported("testexp", Signal.METRICS).all();
        Map<String, Object> m = plain(metrics.getResourceMetrics(0).getResource().getAttributesList());
        assertThat(m).containsEntry("service.name", "checkout")
            .containsEntry("deployment.environment", "prod,eu")
            .containsEntry("TaskDefinitionFamily", "prom-ecs-exporter-sandbox-main-fargate")
            .containsEntry("TaskARN", fargate.expected().get("aws.ecs.task.arn"))
            .containsEntry("TaskDefinitionRevision", "9")
            .containsEntry("LaunchType", "fargate")
            .containsEntry("ClusterARN", "arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox")
            .containsEntry("aws.ecs.task.id", "bae32def0ab64f06818e8862e58f8d6d")
            .containsEntry("aws.log.stream.arns", fargate.expected().get("aws.log.stream.arns"))
            .doesNotContainKeys("InstanceId", "cloud.provider", "cloud.platform", "cloud.account.id", "cloud.region",
                "cloud.availability_zone", "aws.log.group.names", "aws.log.group.arns", "aws.log.stream.names",
                "aws.ecs.task.family", "aws.ecs.task.arn", "aws.ecs.launchtype", "aws.ecs.cluster.arn");
        // Both pipelines use the one resourcedetection id: one detection at start.
        assertThat(ecs.requests("/task")).isEqualTo(1);
      }
    }
  }

  @Test
  void unreachableMetadataEndpointStillStartsAndPassesData() throws Exception {
    TestComponents tc = new TestComponents();
    try (EcsMetadataServer ecs = EcsFixtureCases.all().get(3).startServer()) {
      ecs.fail(EcsMetadataServer.Failure.HTTP_500);
      Map<String, String> env = new HashMap<>(ecs.env());
      env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + FreePort.pick());
      env.put("OTEL_RESOURCE_ATTRIBUTES", "k=v");
      String cfg = config().replace("resourcedetection:\n", "resourcedetection:\n    timeout: 300ms\n");
      try (Wharf wharf = Wharf.builder()
          .components(tc.components(new ResourceDetectionProcessorFactory(), new ResourceProcessorFactory()))
          .config(cfg).env(env).start()) {
        tc.sendTraces("testrcv", TestData.traces("svc", 1, 1));
        wharf.shutdown();
        assertThat(plain(tc.exported("testexp", Signal.TRACES).all().getResourceSpans(0).getResource()
            .getAttributesList())).containsExactly(Map.entry("service.name", "svc"), Map.entry("k", "v"));
      }
    }
  }

  @Test
  void presetProcessorsValidateInTheDistribution() {
    // With every component of the distribution: whatever else is still missing, the preset's
    // resourcedetection and resource processors bind without a problem.
    try {
      Wharf.builder().location(preset("ecs-cloudwatch-xray.yaml").toString()).validate();
    } catch (ConfigException e) {
      assertThat(e.problems()).extracting(ConfigProblems.Problem::path)
          .noneMatch(p -> p.startsWith("processors.resource"));
    }
    assertThatThrownBy(() -> Wharf.builder().config(
        "receivers: {inprocess: {}}\nprocessors:\n  resourcedetection: {detectors: [env, eks]}\n"
            + "  resource: {attributes: [{key: a, action: rename}]}\nexporters: {debug: {}}\n"
            + "service: {pipelines: {traces: {receivers: [inprocess], processors: [resourcedetection, resource], "
            + "exporters: [debug]}}}\n").validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("processors.resourcedetection.detectors[1]: detector 'eks' is not available in Wharf")
        .hasMessageContaining("processors.resource.attributes[0].action: expected one of");
  }

  @Test
  void attributesMatchBlocksAreCheckedAgainstThePipelineSignal() {
    TestComponents tc = new TestComponents();
    assertThatThrownBy(() -> Wharf.builder()
        .components(tc.components(new AttributesProcessorFactory()))
        .config("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "processors:\n  attributes:\n    actions: [{key: a, value: b, action: upsert}]\n"
            + "    include: {match_type: strict, log_bodies: [x]}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], processors: [attributes], exporters: [testexp]}}}\n")
        .validate())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("processors.attributes.include: log_bodies should not be specified for trace spans");
  }
}
