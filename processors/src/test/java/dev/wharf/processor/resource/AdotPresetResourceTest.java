package dev.wharf.processor.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.ecs.EcsMetadata;
import dev.wharf.ecs.EcsTaskMetadata;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.attraction.AttributeAction;
import dev.wharf.testing.EcsMetadataServer;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The {@code resource} processors of the ADOT presets, read out of the fixture YAML files, bound
 * with their exact action lists and applied to the attributes Wharf itself produces for them.
 */
class AdotPresetResourceTest {

  static Path preset(String name) {
    return EcsMetadataServer.sharedDir().resolve("fixtures/adot-configs").resolve(name);
  }

  @SuppressWarnings("unchecked")
  static ResourceProcessorConfig bind(String presetFile) throws Exception {
    Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadFromString(Files.readString(preset(presetFile)));
    Map<String, Object> processors = (Map<String, Object>) root.get("processors");
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("processors.resource", (Map<String, Object>) processors.get("resource"), problems);
    ResourceProcessorConfig cfg = new ResourceProcessorFactory().parseConfig(node);
    node.checkUnknownKeys();
    assertThat(problems.list()).as(presetFile).isEmpty();
    return cfg;
  }

  /** Expected action list: insert/delete pairs, then plain deletes. */
  static List<String> pairs(String[][] inserts, String... deletes) {
    List<String> out = new ArrayList<>();
    for (String[] p : inserts) {
      out.add("insert " + p[0] + " <- " + p[1]);
      out.add("delete " + p[1]);
    }
    for (String d : deletes) {
      out.add("delete " + d);
    }
    return out;
  }

  static List<String> describe(ResourceProcessorConfig cfg) {
    List<String> out = new ArrayList<>();
    for (AttributeAction a : cfg.attributes().actions()) {
      out.add(a.type() == AttributeAction.Type.INSERT
          ? "insert " + a.key() + " <- " + a.fromAttribute()
          : a.type().label() + " " + a.key());
    }
    return out;
  }

  static Map<String, Object> plain(List<KeyValue> attrs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (KeyValue kv : attrs) {
      AnyValue v = kv.getValue();
      m.put(kv.getKey(), v.hasArrayValue() ? v.getArrayValue().getValuesList().stream()
          .map(AnyValue::getStringValue).toList() : v.hasIntValue() ? (Object) v.getIntValue() : v.getStringValue());
    }
    return m;
  }

  static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  @Test
  void ecsCloudwatchXrayRenamesTheDetectedEcsAndEc2Attributes() throws Exception {
    ResourceProcessorConfig cfg = bind("ecs-cloudwatch-xray.yaml");
    assertThat(describe(cfg)).containsExactlyElementsOf(pairs(new String[][] {
        {"TaskDefinitionFamily", "aws.ecs.task.family"}, {"InstanceId", "host.id"},
        {"TaskARN", "aws.ecs.task.arn"}, {"TaskDefinitionRevision", "aws.ecs.task.revision"},
        {"LaunchType", "aws.ecs.launchtype"}, {"ClusterARN", "aws.ecs.cluster.arn"}},
        "cloud.provider", "cloud.platform", "cloud.account.id", "cloud.region", "cloud.availability_zone",
        "aws.log.group.names", "aws.log.group.arns", "aws.log.stream.names", "host.image.id", "host.name",
        "host.type"));

    // What resourcedetection [env, ecs, ec2] produces on an EC2-backed task, plus the SDK's own.
    EcsTaskMetadata task = EcsMetadata.parseTask(Files.readAllBytes(
        EcsMetadataServer.fixture("aws_docs/ec2_task_metadata_with_pause.json")));
    List<KeyValue> attrs = new ArrayList<>();
    attrs.add(str("service.name", "checkout"));
    attrs.add(str("telemetry.sdk.language", "java"));
    attrs.addAll(EcsMetadata.detectorAttributes(task, EcsMetadata.parseContainer(Files.readAllBytes(
        EcsMetadataServer.fixture("aws_docs/ec2_container_metadata.json")))));
    attrs.add(str("host.id", "i-0123456789abcdef0"));
    attrs.add(str("host.image.id", "ami-123"));
    attrs.add(str("host.name", "ip-10-0-2-61.us-west-2.compute.internal"));
    attrs.add(str("host.type", "m5.large"));

    RecordingConsumer<MetricsData> sink = new RecordingConsumer<>(Signal.METRICS);
    var processor = new ResourceProcessorFactory().createProcessor(
        TestContexts.context("resource", ComponentKind.PROCESSOR, Signal.METRICS), cfg, Signal.METRICS, sink);
    processor.consume(MetricsData.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(attrs))).build());

    Map<String, Object> out = plain(sink.all().getResourceMetrics(0).getResource().getAttributesList());
    assertThat(out).containsExactly(
        Map.entry("service.name", "checkout"),
        Map.entry("telemetry.sdk.language", "java"),
        Map.entry("aws.ecs.task.id", "158d1c8083dd49d6b527399fd6414f5c"),
        Map.entry("aws.log.stream.arns", List.of("arn:aws:logs:us-west-2:111122223333:log-group:/ecs/metadata"
            + ":log-stream:ecs/curl/158d1c8083dd49d6b527399fd6414f5c")),
        Map.entry("TaskDefinitionFamily", "curltest"),
        Map.entry("InstanceId", "i-0123456789abcdef0"),
        Map.entry("TaskARN", "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c"),
        Map.entry("TaskDefinitionRevision", "26"),
        Map.entry("LaunchType", "ec2"),
        Map.entry("ClusterARN", "arn:aws:ecs:us-west-2:111122223333:cluster/default"));
  }

  @Test
  void taskMetricsPresetRenamesTheContainerMetricsResource() throws Exception {
    ResourceProcessorConfig cfg = bind("otel-task-metrics-config.yaml");
    String[][] renames = {
        {"ClusterName", "aws.ecs.cluster.name"}, {"ServiceName", "aws.ecs.service.name"},
        {"TaskId", "aws.ecs.task.id"}, {"TaskDefinitionFamily", "aws.ecs.task.family"},
        {"TaskARN", "aws.ecs.task.arn"}, {"DockerName", "aws.ecs.docker.name"},
        {"TaskDefinitionRevision", "aws.ecs.task.version"}, {"PullStartedAt", "aws.ecs.task.pull_started_at"},
        {"PullStoppedAt", "aws.ecs.task.pull_stopped_at"}, {"AvailabilityZone", "cloud.zone"},
        {"LaunchType", "aws.ecs.task.launch_type"}, {"Region", "cloud.region"}, {"AccountId", "cloud.account.id"},
        {"DockerId", "container.id"}, {"ContainerName", "container.name"}, {"Image", "container.image.name"},
        {"ImageId", "aws.ecs.container.image.id"}, {"ExitCode", "aws.ecs.container.exit_code"},
        {"CreatedAt", "aws.ecs.container.created_at"}, {"StartedAt", "aws.ecs.container.started_at"},
        {"FinishedAt", "aws.ecs.container.finished_at"}, {"ImageTag", "container.image.tag"}};
    assertThat(renames.length).isEqualTo(22);
    assertThat(describe(cfg)).containsExactlyElementsOf(pairs(renames));

    // The container resource of the stopped container of the EC2 capture, as the receiver builds it.
    EcsTaskMetadata task = EcsMetadata.parseTask(Files.readAllBytes(
        EcsMetadataServer.fixture("ecs_exporter/ec2_task_metadata.json")));
    List<KeyValue> attrs = new ArrayList<>(EcsMetadata.containerResourceAttributes(task.containers().get(0)));
    attrs.addAll(EcsMetadata.taskResourceAttributes(task));
    Resource in = Resource.newBuilder().addAllAttributes(attrs).build();
    Map<String, Object> out = plain(new ResourceProcessor<>(Signal.METRICS, cfg.attributes(), d -> { })
        .apply(in).getAttributesList());

    assertThat(out).containsExactly(
        Map.entry("aws.ecs.container.know_status", "STOPPED"),
        Map.entry("aws.ecs.task.revision", "13"),
        Map.entry("cloud.availability_zone", "us-east-1a"),
        Map.entry("aws.ecs.task.known_status", "RUNNING"),
        Map.entry("aws.ecs.launchtype", "ec2"),
        Map.entry("ClusterName", "prom-ecs-exporter-sandbox"),
        Map.entry("ServiceName", "prom-ecs-exporter-sandbox-main-ec2"),
        Map.entry("TaskId", "506f22fab0414cde856201584703fed9"),
        Map.entry("TaskDefinitionFamily", "prom-ecs-exporter-sandbox-main-ec2"),
        Map.entry("TaskARN",
            "arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/506f22fab0414cde856201584703fed9"),
        Map.entry("DockerName", "ecs-prom-ecs-exporter-sandbox-main-ec2-13-nonessential-9c9ab8aeb0e0dbdca601"),
        Map.entry("TaskDefinitionRevision", "13"),
        Map.entry("PullStartedAt", "2025-02-27T05:09:52.332595252Z"),
        Map.entry("PullStoppedAt", "2025-02-27T05:10:01.206072368Z"),
        Map.entry("LaunchType", "EC2"),
        Map.entry("Region", "us-east-1"),
        Map.entry("AccountId", "829490980523"),
        Map.entry("DockerId", "213e1203f4bb72af185724d937e698d2724acf35b57ec2dd5f3c963adbd2d38c"),
        Map.entry("ContainerName", "nonessential"),
        Map.entry("Image", "alpine"),
        Map.entry("ImageId", "sha256:8d591b0b7dea080ea3be9e12ae563eebf9869168ffced1cb25b2470a3d9fe15e"),
        Map.entry("ExitCode", 0L),
        Map.entry("CreatedAt", "2025-02-27T05:09:54.959587312Z"),
        Map.entry("StartedAt", "2025-02-27T05:09:56.392336771Z"),
        Map.entry("FinishedAt", "2025-02-27T05:09:56.409399983Z"),
        Map.entry("ImageTag", "latest"));
    // cloud.zone is never produced, so AvailabilityZone is never inserted (config-and-cli.md 3.5).
    assertThat(out).doesNotContainKey("AvailabilityZone");
  }

  @Test
  void unchangedResourcesAreShared() throws Exception {
    ResourceProcessorConfig cfg = bind("otel-task-metrics-config.yaml");
    RecordingConsumer<MetricsData> sink = new RecordingConsumer<>(Signal.METRICS);
    var p = new ResourceProcessorFactory().createProcessor(
        TestContexts.context("resource", ComponentKind.PROCESSOR, Signal.METRICS), cfg, Signal.METRICS, sink);
    MetricsData data = dev.wharf.testing.TestData.metrics("svc", 3);
    p.consume(data);
    assertThat(sink.received().get(0)).isSameAs(data);
  }
}
