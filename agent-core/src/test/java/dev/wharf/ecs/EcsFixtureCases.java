package dev.wharf.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.EcsMetadataServer;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The captured payloads of {@code shared/fixtures/ecs/} with the attributes the ecs detector must
 * derive from each, written out by hand from the rules of spec/ecs.md 2 (not computed). Shared by
 * the translator test here and the resourcedetection processor test (through the test-jar).
 */
public final class EcsFixtureCases {
  private EcsFixtureCases() {}

  /**
   * One replay: the task document, the collector's own container document (a file, or a container
   * of the task picked by name), and the expected detector attributes (String or List of String).
   */
  public record Case(String name, Path task, Path container, String selfFromTask, Map<String, Object> expected) {
    /** A metadata server serving this case's documents (and the stats files where they exist). */
    public EcsMetadataServer startServer() {
      EcsMetadataServer.Builder b = EcsMetadataServer.builder().task(task);
      if (container != null) {
        b.container(container);
      } else {
        b.containerFromTask(task, selfFromTask);
      }
      return b.start();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Case> all() {
    List<Case> cases = new ArrayList<>();

    // contrib: EC2 written "ec2", short cluster name, no awslogs containers, one STOPPED container.
    cases.add(new Case("contrib_ecsutil (ec2, lower-case launch type)",
        EcsMetadataServer.fixture("contrib_ecsutil/task_metadata.json"),
        EcsMetadataServer.fixture("contrib_ecsutil/container_metadata.json"), null,
        expected(
            "aws.ecs.task.arn", "arn:aws:ecs:us-west-2:803860917211:task/test200/d22aaa11bf0e4ab19c2c940a1cbabbee",
            "aws.ecs.task.family", "three-nginx",
            "aws.ecs.task.revision", "1",
            "cloud.account.id", "803860917211",
            "cloud.region", "us-west-2",
            "aws.ecs.task.id", "d22aaa11bf0e4ab19c2c940a1cbabbee",
            "aws.ecs.cluster.arn", "arn:aws:ecs:us-west-2:803860917211:cluster/test200",
            "cloud.availability_zone", "us-west-2a",
            "aws.ecs.launchtype", "ec2")));

    // AWS docs: EC2 awsvpc task with the CNI_PAUSE container; the collector is a container outside
    // the task list, so the curl container's awslogs data is reported.
    String docsArn = "arn:aws:ecs:us-west-2:111122223333:task/default/158d1c8083dd49d6b527399fd6414f5c";
    cases.add(new Case("aws_docs (ec2 with CNI_PAUSE, other container logs)",
        EcsMetadataServer.fixture("aws_docs/ec2_task_metadata_with_pause.json"),
        EcsMetadataServer.fixture("aws_docs/ec2_container_metadata.json"), null,
        expected(
            "aws.ecs.task.arn", docsArn,
            "aws.ecs.task.family", "curltest",
            "aws.ecs.task.revision", "26",
            "cloud.account.id", "111122223333",
            "cloud.region", "us-west-2",
            "aws.ecs.task.id", "158d1c8083dd49d6b527399fd6414f5c",
            "aws.ecs.cluster.arn", "arn:aws:ecs:us-west-2:111122223333:cluster/default",
            "cloud.availability_zone", "us-west-2d",
            "aws.ecs.launchtype", "ec2",
            "aws.log.group.names", List.of("/ecs/metadata"),
            "aws.log.group.arns", List.of("arn:aws:logs:us-west-2:111122223333:log-group:/ecs/metadata"),
            "aws.log.stream.names", List.of("ecs/curl/158d1c8083dd49d6b527399fd6414f5c"),
            "aws.log.stream.arns", List.of("arn:aws:logs:us-west-2:111122223333:log-group:/ecs/metadata"
                + ":log-stream:ecs/curl/158d1c8083dd49d6b527399fd6414f5c"))));

    // Same task, but the collector IS the curl container: its own logs are excluded, and the pause
    // container never counts, so no log attributes at all.
    Map<String, Object> docsSelf = new LinkedHashMap<>(cases.get(1).expected());
    docsSelf.keySet().removeIf(k -> k.startsWith("aws.log."));
    cases.add(new Case("aws_docs (collector is the awslogs container)",
        EcsMetadataServer.fixture("aws_docs/ec2_task_metadata_with_pause.json"), null, "curl", docsSelf));

    // ecs_exporter Fargate capture: cluster is already an ARN, one STOPPED container.
    String fgLogGroup = "EcsExporterCdkStack-promecsexportersandboxmainfargatetaskdefinitionpromecsexportersandbox"
        + "mainfargateecsexporterLogGroup44D32D35-DcG8HDbOu1Sl";
    String fgStream = "ecs-exporter/ecs-exporter/bae32def0ab64f06818e8862e58f8d6d";
    String fgGroupArn = "arn:aws:logs:us-east-1:829490980523:log-group:" + fgLogGroup;
    Map<String, Object> fargate = expected(
        "aws.ecs.task.arn",
        "arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/bae32def0ab64f06818e8862e58f8d6d",
        "aws.ecs.task.family", "prom-ecs-exporter-sandbox-main-fargate",
        "aws.ecs.task.revision", "9",
        "cloud.account.id", "829490980523",
        "cloud.region", "us-east-1",
        "aws.ecs.task.id", "bae32def0ab64f06818e8862e58f8d6d",
        "aws.ecs.cluster.arn", "arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox",
        "cloud.availability_zone", "us-east-1a",
        "aws.ecs.launchtype", "fargate",
        "aws.log.group.names", List.of(fgLogGroup),
        "aws.log.group.arns", List.of(fgGroupArn),
        "aws.log.stream.names", List.of(fgStream),
        "aws.log.stream.arns", List.of(fgGroupArn + ":log-stream:" + fgStream));
    cases.add(new Case("ecs_exporter fargate (collector is 'prometheus')",
        EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json"), null, "prometheus", fargate));
    Map<String, Object> fargateSelf = new LinkedHashMap<>(fargate);
    fargateSelf.keySet().removeIf(k -> k.startsWith("aws.log."));
    cases.add(new Case("ecs_exporter fargate (collector is the awslogs container)",
        EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json"), null, "ecs-exporter", fargateSelf));

    // ecs_exporter EC2 capture: short cluster name, upper-case EC2, one STOPPED container.
    String ec2LogGroup = "EcsExporterCdkStack-promecsexportersandboxmainec2taskdefinitionpromecsexportersandbox"
        + "mainec2ecsexporterLogGroup874A22EF-y3iGqSSTf3sz";
    String ec2Stream = "ecs-exporter/ecs-exporter/506f22fab0414cde856201584703fed9";
    String ec2GroupArn = "arn:aws:logs:us-east-1:829490980523:log-group:" + ec2LogGroup;
    cases.add(new Case("ecs_exporter ec2 (collector is 'nonessential', stopped)",
        EcsMetadataServer.fixture("ecs_exporter/ec2_task_metadata.json"), null, "nonessential",
        expected(
            "aws.ecs.task.arn",
            "arn:aws:ecs:us-east-1:829490980523:task/prom-ecs-exporter-sandbox/506f22fab0414cde856201584703fed9",
            "aws.ecs.task.family", "prom-ecs-exporter-sandbox-main-ec2",
            "aws.ecs.task.revision", "13",
            "cloud.account.id", "829490980523",
            "cloud.region", "us-east-1",
            "aws.ecs.task.id", "506f22fab0414cde856201584703fed9",
            "aws.ecs.cluster.arn", "arn:aws:ecs:us-east-1:829490980523:cluster/prom-ecs-exporter-sandbox",
            "cloud.availability_zone", "us-east-1a",
            "aws.ecs.launchtype", "ec2",
            "aws.log.group.names", List.of(ec2LogGroup),
            "aws.log.group.arns", List.of(ec2GroupArn),
            "aws.log.stream.names", List.of(ec2Stream),
            "aws.log.stream.arns", List.of(ec2GroupArn + ":log-stream:" + ec2Stream))));
    return cases;
  }

  /** cloud.provider and cloud.platform, then the given pairs. */
  static Map<String, Object> expected(Object... pairs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cloud.provider", "aws");
    m.put("cloud.platform", "aws_ecs");
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** Asserts {@code actual} holds exactly the expected keys, each with its value, key by key. */
  public static void assertAttributes(String caseName, List<KeyValue> actual, Map<String, Object> expected) {
    Map<String, Object> got = new LinkedHashMap<>();
    for (KeyValue kv : actual) {
      assertThat(got.put(kv.getKey(), plain(kv.getValue())))
          .as("%s: attribute %s set twice", caseName, kv.getKey()).isNull();
    }
    for (Map.Entry<String, Object> e : expected.entrySet()) {
      assertThat(got).as("%s: missing %s", caseName, e.getKey()).containsKey(e.getKey());
      assertThat(got.get(e.getKey())).as("%s: %s", caseName, e.getKey()).isEqualTo(e.getValue());
    }
    assertThat(got.keySet()).as("%s: unexpected attributes", caseName)
        .containsExactlyInAnyOrderElementsOf(expected.keySet());
  }

  /** A string, or a list of strings for array values. */
  public static Object plain(AnyValue v) {
    if (v.hasArrayValue()) {
      List<Object> l = new ArrayList<>();
      for (AnyValue e : v.getArrayValue().getValuesList()) {
        l.add(plain(e));
      }
      return l;
    }
    if (v.hasIntValue()) {
      return v.getIntValue();
    }
    return v.getStringValue();
  }
}
