package dev.wharf.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EcsMetadataTest {

  static Stream<EcsFixtureCases.Case> cases() {
    return EcsFixtureCases.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void detectorAttributesOfEveryFixtureFollowTheSpec(EcsFixtureCases.Case c) throws IOException {
    EcsTaskMetadata task = EcsMetadata.parseTask(Files.readAllBytes(c.task()));
    EcsContainerMetadata self = c.container() != null
        ? EcsMetadata.parseContainer(Files.readAllBytes(c.container()))
        : task.containers().stream().filter(x -> x.name().equals(c.selfFromTask())).findFirst().orElseThrow();

    List<KeyValue> attrs = EcsMetadata.detectorAttributes(task, self);

    EcsFixtureCases.assertAttributes(c.name(), attrs, c.expected());
    assertThat(EcsMetadata.DETECTOR_ATTRIBUTES).containsAll(c.expected().keySet());
  }

  @Test
  void withoutTheOwnContainerNoLogAttributesAreDerived() throws IOException {
    EcsTaskMetadata task = EcsMetadata.parseTask(
        Files.readAllBytes(EcsFixtureCases.all().get(1).task()));
    List<KeyValue> attrs = EcsMetadata.detectorAttributes(task, null);
    assertThat(attrs).extracting(KeyValue::getKey).doesNotContain(
        EcsMetadata.LOG_GROUP_NAMES, EcsMetadata.LOG_GROUP_ARNS, EcsMetadata.LOG_STREAM_NAMES,
        EcsMetadata.LOG_STREAM_ARNS).contains(EcsMetadata.CLUSTER_ARN, EcsMetadata.TASK_ID);
  }

  @Test
  void parsesEveryTaskAndContainerMember() throws IOException {
    EcsTaskMetadata fargate = EcsMetadata.parseTask(Files.readAllBytes(
        dev.wharf.testing.EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json")));
    assertThat(fargate.limits()).isEqualTo(new EcsLimits(0.25, 512L));
    assertThat(fargate.ephemeralStorageUtilized()).isEqualTo(427L);
    assertThat(fargate.ephemeralStorageReserved()).isEqualTo(20496L);
    assertThat(fargate.containers()).hasSize(3);
    EcsContainerMetadata stopped = fargate.containers().get(0);
    assertThat(stopped.knownStatus()).isEqualTo("STOPPED");
    assertThat(stopped.exitCode()).isEqualTo(0L);
    assertThat(stopped.finishedAt()).isEqualTo("2025-02-27T05:06:19.219711004Z");
    assertThat(stopped.limits()).isEqualTo(new EcsLimits(2.0, null));
    assertThat(stopped.ipv4Addresses()).containsExactly("10.0.117.145");

    EcsTaskMetadata ec2 = EcsMetadata.parseTask(Files.readAllBytes(
        dev.wharf.testing.EcsMetadataServer.fixture("ecs_exporter/ec2_task_metadata.json")));
    assertThat(ec2.limits()).isEqualTo(EcsLimits.NONE);
    assertThat(ec2.serviceName()).isEqualTo("prom-ecs-exporter-sandbox-main-ec2");
    assertThat(ec2.vpcId()).isEqualTo("vpc-0839c743edb0c009e");
    assertThat(ec2.containers().get(1).logGroup()).startsWith("EcsExporterCdkStack-");
    assertThat(ec2.containers().get(0).ipv4Addresses()).isEmpty();

    EcsTaskMetadata pause = EcsMetadata.parseTask(Files.readAllBytes(
        dev.wharf.testing.EcsMetadataServer.fixture("aws_docs/ec2_task_metadata_with_pause.json")));
    assertThat(pause.containers().get(0).type()).isEqualTo("CNI_PAUSE");
    assertThat(pause.containers().get(0).imageId()).isEmpty();
    assertThat(pause.containers().get(0).labels()).containsEntry("com.amazonaws.ecs.cluster", "default");
  }

  @Test
  void taskArnParsingHandlesOldAndNewFormatsAndGarbage() {
    assertThat(EcsMetadata.TaskArn.parse("arn:aws:ecs:us-west-2:123:task/cl/abc"))
        .isEqualTo(new EcsMetadata.TaskArn("us-west-2", "123", "abc"));
    assertThat(EcsMetadata.TaskArn.parse("arn:aws:ecs:us-west-2:123:task/abc"))
        .isEqualTo(new EcsMetadata.TaskArn("us-west-2", "123", "abc"));
    assertThat(EcsMetadata.TaskArn.parse("arn:aws:ecs:us-west-2:123"))
        .isEqualTo(new EcsMetadata.TaskArn("us-west-2", "123", ""));
    assertThat(EcsMetadata.TaskArn.parse("")).isEqualTo(new EcsMetadata.TaskArn("", "", ""));
    assertThat(EcsMetadata.TaskArn.parse("not-an-arn")).isEqualTo(new EcsMetadata.TaskArn("", "", ""));
  }

  @Test
  void clusterArnAndLaunchType() {
    assertThat(EcsMetadata.clusterArn("default", "eu-west-1", "42"))
        .isEqualTo("arn:aws:ecs:eu-west-1:42:cluster/default");
    assertThat(EcsMetadata.clusterArn("arn:aws:ecs:eu-west-1:42:cluster/x", "", ""))
        .isEqualTo("arn:aws:ecs:eu-west-1:42:cluster/x");
    assertThat(EcsMetadata.launchType("FARGATE")).isEqualTo("fargate");
    assertThat(EcsMetadata.launchType("Ec2")).isEqualTo("ec2");
    assertThat(EcsMetadata.launchType("EXTERNAL")).isNull();
    assertThat(EcsMetadata.launchType("")).isNull();
  }

  @Test
  void unknownLaunchTypeAndEmptyZoneAreLeftOut() throws IOException {
    EcsTaskMetadata t = EcsMetadata.parseTask("{\"Cluster\":\"c\",\"TaskARN\":\"arn:aws:ecs:r:1:task/c/t\","
        + "\"Family\":\"f\",\"Revision\":\"3\",\"LaunchType\":\"EXTERNAL\",\"AvailabilityZone\":\"\"}");
    List<KeyValue> attrs = EcsMetadata.detectorAttributes(t, null);
    assertThat(attrs).extracting(KeyValue::getKey)
        .doesNotContain(EcsMetadata.LAUNCHTYPE, EcsMetadata.CLOUD_AVAILABILITY_ZONE);
  }

  @Test
  void malformedDocumentsAreRejected() {
    assertThatThrownBy(() -> EcsMetadata.parseTask("{\"Cluster\": \"a\", \"Containers\": [")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> EcsMetadata.parseTask("[1,2]")).hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> EcsMetadata.parseTask("")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> EcsMetadata.parseTask("<html></html>")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> EcsMetadata.parseContainer("{} {}")).isInstanceOf(IOException.class);
  }

  @Test
  void taskResourceOfTheContainerMetricsReceiver() throws IOException {
    EcsTaskMetadata t = EcsMetadata.parseTask(Files.readAllBytes(
        dev.wharf.testing.EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json")));
    EcsFixtureCases.assertAttributes("task resource", EcsMetadata.taskResourceAttributes(t), Map.ofEntries(
        Map.entry("aws.ecs.cluster.name", "prom-ecs-exporter-sandbox"),
        Map.entry("aws.ecs.task.arn",
            "arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d"),
        Map.entry("aws.ecs.task.id", "bae32def0ab64f06818e8862e58f8d6d"),
        Map.entry("aws.ecs.task.family", "prom-ecs-exporter-sandbox-main-fargate"),
        Map.entry("aws.ecs.task.version", "9"),
        Map.entry("aws.ecs.task.revision", "9"),
        Map.entry("aws.ecs.service.name", ""),
        Map.entry("cloud.availability_zone", "us-east-1a"),
        Map.entry("aws.ecs.task.pull_started_at", "2025-02-27T05:06:03.714437592Z"),
        Map.entry("aws.ecs.task.pull_stopped_at", "2025-02-27T05:06:18.599126545Z"),
        Map.entry("aws.ecs.task.known_status", "RUNNING"),
        Map.entry("aws.ecs.task.launch_type", "FARGATE"),
        Map.entry("aws.ecs.launchtype", "fargate"),
        Map.entry("cloud.region", "us-east-1"),
        Map.entry("cloud.account.id", "829490980523")));
  }

  @Test
  void containerResourceOfTheContainerMetricsReceiver() throws IOException {
    EcsTaskMetadata t = EcsMetadata.parseTask(Files.readAllBytes(
        dev.wharf.testing.EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json")));
    List<KeyValue> stopped = EcsMetadata.containerResourceAttributes(t.containers().get(0));
    EcsFixtureCases.assertAttributes("stopped container", stopped, Map.ofEntries(
        Map.entry("container.name", "nonessential"),
        Map.entry("container.id", "bae32def0ab64f06818e8862e58f8d6d-1585788040"),
        Map.entry("aws.ecs.docker.name", "nonessential"),
        Map.entry("container.image.name", "alpine"),
        Map.entry("container.image.tag", "latest"),
        Map.entry("aws.ecs.container.image.id",
            "sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c"),
        Map.entry("aws.ecs.container.created_at", "2025-02-27T05:06:19.200809191Z"),
        Map.entry("aws.ecs.container.started_at", "2025-02-27T05:06:19.200809191Z"),
        Map.entry("aws.ecs.container.finished_at", "2025-02-27T05:06:19.219711004Z"),
        Map.entry("aws.ecs.container.know_status", "STOPPED"),
        Map.entry("aws.ecs.container.exit_code", 0L)));
    List<KeyValue> running = EcsMetadata.containerResourceAttributes(t.containers().get(1));
    assertThat(running).extracting(KeyValue::getKey)
        .doesNotContain("aws.ecs.container.finished_at", "aws.ecs.container.exit_code");
    assertThat(EcsMetadata.splitImage("prom/prometheus:v3.1.0")).containsExactly("prom/prometheus", "v3.1.0");
    assertThat(EcsMetadata.splitImage("localhost:5000/x")).containsExactly("localhost:5000/x", "latest");
    assertThat(EcsMetadata.splitImage("a/b:1@sha256:ff")).containsExactly("a/b", "1");
  }
}
