package dev.wharf.ecs;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pure translation of ECS task metadata endpoint (v4) documents into OTLP resource attributes, as
 * upstream does (spec/ecs.md): parsing of the {@code /task} and container documents, the attributes
 * of the resourcedetection {@code ecs} detector (2), and the task and container resources of the
 * awsecscontainermetrics receiver (3.2, 3.3). No I/O here; {@link EcsMetadataClient} fetches.
 */
public final class EcsMetadata {
  private EcsMetadata() {}

  // Attribute names (spec/ecs.md 2, 3.2, 3.3).
  public static final String CLOUD_PROVIDER = "cloud.provider";
  public static final String CLOUD_PLATFORM = "cloud.platform";
  public static final String CLOUD_REGION = "cloud.region";
  public static final String CLOUD_ACCOUNT_ID = "cloud.account.id";
  public static final String CLOUD_AVAILABILITY_ZONE = "cloud.availability_zone";
  public static final String TASK_ARN = "aws.ecs.task.arn";
  public static final String TASK_FAMILY = "aws.ecs.task.family";
  public static final String TASK_REVISION = "aws.ecs.task.revision";
  public static final String TASK_ID = "aws.ecs.task.id";
  public static final String CLUSTER_ARN = "aws.ecs.cluster.arn";
  public static final String LAUNCHTYPE = "aws.ecs.launchtype";
  public static final String LOG_GROUP_NAMES = "aws.log.group.names";
  public static final String LOG_GROUP_ARNS = "aws.log.group.arns";
  public static final String LOG_STREAM_NAMES = "aws.log.stream.names";
  public static final String LOG_STREAM_ARNS = "aws.log.stream.arns";

  public static final String CLUSTER_NAME = "aws.ecs.cluster.name";
  public static final String TASK_VERSION = "aws.ecs.task.version";
  public static final String SERVICE_NAME = "aws.ecs.service.name";
  public static final String TASK_PULL_STARTED_AT = "aws.ecs.task.pull_started_at";
  public static final String TASK_PULL_STOPPED_AT = "aws.ecs.task.pull_stopped_at";
  public static final String TASK_KNOWN_STATUS = "aws.ecs.task.known_status";
  public static final String TASK_LAUNCH_TYPE = "aws.ecs.task.launch_type";

  public static final String CONTAINER_NAME = "container.name";
  public static final String CONTAINER_ID = "container.id";
  public static final String DOCKER_NAME = "aws.ecs.docker.name";
  public static final String CONTAINER_IMAGE_NAME = "container.image.name";
  public static final String CONTAINER_IMAGE_TAG = "container.image.tag";
  public static final String CONTAINER_IMAGE_ID = "aws.ecs.container.image.id";
  public static final String CONTAINER_CREATED_AT = "aws.ecs.container.created_at";
  public static final String CONTAINER_STARTED_AT = "aws.ecs.container.started_at";
  public static final String CONTAINER_FINISHED_AT = "aws.ecs.container.finished_at";
  /** Spelled as upstream spells it. */
  public static final String CONTAINER_KNOW_STATUS = "aws.ecs.container.know_status";
  public static final String CONTAINER_EXIT_CODE = "aws.ecs.container.exit_code";

  /** The 15 attributes the ecs detector may set, in the order it sets them. */
  public static final List<String> DETECTOR_ATTRIBUTES = List.of(
      CLOUD_PROVIDER, CLOUD_PLATFORM, TASK_ARN, TASK_FAMILY, TASK_REVISION, CLOUD_ACCOUNT_ID,
      CLOUD_REGION, TASK_ID, CLUSTER_ARN, CLOUD_AVAILABILITY_ZONE, LAUNCHTYPE, LOG_GROUP_NAMES,
      LOG_GROUP_ARNS, LOG_STREAM_NAMES, LOG_STREAM_ARNS);

  // ---------------------------------------------------------------- parsing

  /** Parses the response of {@code GET ${V4}/task}; throws on malformed JSON or a non-object. */
  public static EcsTaskMetadata parseTask(byte[] json) throws IOException {
    Map<String, Object> m = JsonValues.object(JsonValues.parse(json), "task metadata");
    List<EcsContainerMetadata> containers = new ArrayList<>();
    int i = 0;
    for (Object c : JsonValues.list(m, "Containers")) {
      containers.add(container(JsonValues.object(c, "task metadata Containers[" + i++ + "]")));
    }
    Map<String, Object> eph = m.get("EphemeralStorageMetrics") instanceof Map<?, ?>
        ? JsonValues.object(m.get("EphemeralStorageMetrics"), "EphemeralStorageMetrics") : Map.of();
    return new EcsTaskMetadata(
        JsonValues.string(m, "Cluster"),
        JsonValues.string(m, "TaskARN"),
        JsonValues.string(m, "Family"),
        JsonValues.string(m, "Revision"),
        JsonValues.string(m, "DesiredStatus"),
        JsonValues.string(m, "KnownStatus"),
        JsonValues.string(m, "AvailabilityZone"),
        JsonValues.string(m, "LaunchType"),
        JsonValues.string(m, "ServiceName"),
        JsonValues.string(m, "VPCID"),
        JsonValues.string(m, "PullStartedAt"),
        JsonValues.string(m, "PullStoppedAt"),
        JsonValues.string(m, "ExecutionStoppedAt"),
        limits(m),
        JsonValues.integer(eph, "Utilized"),
        JsonValues.integer(eph, "Reserved"),
        containers);
  }

  /** Parses the response of {@code GET ${V4}} (the calling container). */
  public static EcsContainerMetadata parseContainer(byte[] json) throws IOException {
    return container(JsonValues.object(JsonValues.parse(json), "container metadata"));
  }

  /** Parses UTF-8 text; convenience for tests and callers holding strings. */
  public static EcsTaskMetadata parseTask(String json) throws IOException {
    return parseTask(json.getBytes(StandardCharsets.UTF_8));
  }

  public static EcsContainerMetadata parseContainer(String json) throws IOException {
    return parseContainer(json.getBytes(StandardCharsets.UTF_8));
  }

  private static EcsContainerMetadata container(Map<String, Object> m) {
    List<String> ips = new ArrayList<>();
    for (Object n : JsonValues.list(m, "Networks")) {
      if (n instanceof Map<?, ?> nm) {
        @SuppressWarnings("unchecked")
        Map<String, Object> net = (Map<String, Object>) nm;
        for (Object ip : JsonValues.list(net, "IPv4Addresses")) {
          if (ip instanceof String s && !s.isEmpty()) {
            ips.add(s);
          }
        }
      }
    }
    return new EcsContainerMetadata(
        JsonValues.string(m, "DockerId"),
        JsonValues.string(m, "Name"),
        JsonValues.string(m, "DockerName"),
        JsonValues.string(m, "Image"),
        JsonValues.string(m, "ImageID"),
        JsonValues.stringMap(m, "Labels"),
        JsonValues.string(m, "DesiredStatus"),
        JsonValues.string(m, "KnownStatus"),
        JsonValues.integer(m, "ExitCode"),
        limits(m),
        JsonValues.string(m, "CreatedAt"),
        JsonValues.string(m, "StartedAt"),
        JsonValues.string(m, "FinishedAt"),
        JsonValues.string(m, "Type"),
        JsonValues.string(m, "LogDriver"),
        JsonValues.stringMap(m, "LogOptions"),
        JsonValues.string(m, "ContainerARN"),
        ips);
  }

  private static EcsLimits limits(Map<String, Object> m) {
    if (!(m.get("Limits") instanceof Map<?, ?> lm)) {
      return EcsLimits.NONE;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> l = (Map<String, Object>) lm;
    return new EcsLimits(JsonValues.number(l, "CPU"), JsonValues.integer(l, "Memory"));
  }

  // ---------------------------------------------------------------- ARNs

  /**
   * Region, account and task id of a task ARN, as the ecs detector derives them: the ARN split on
   * {@code :}; with at least 5 fields, region = [3], account = [4], task id = last {@code /}-separated
   * part of [5] ({@code task/<id>} and {@code task/<cluster>/<id>} alike). Missing parts are empty.
   */
  public record TaskArn(String region, String account, String taskId) {
    public static TaskArn parse(String arn) {
      String[] parts = arn.split(":", -1);
      if (parts.length < 5) {
        return new TaskArn("", "", "");
      }
      String id = "";
      if (parts.length > 5) {
        String info = parts[5];
        id = info.substring(info.lastIndexOf('/') + 1);
      }
      return new TaskArn(parts[3], parts[4], id);
    }
  }

  /** {@code Cluster} if it is an ARN (contains {@code :}), else the ARN built from the short name. */
  public static String clusterArn(String cluster, String region, String account) {
    if (cluster.indexOf(':') >= 0) {
      return cluster;
    }
    return "arn:aws:ecs:" + region + ":" + account + ":cluster/" + cluster;
  }

  public static String logGroupArn(String region, String account, String group) {
    return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group;
  }

  public static String logStreamArn(String region, String account, String group, String stream) {
    return logGroupArn(region, account, group) + ":log-stream:" + stream;
  }

  /** The launch type as the {@code aws.ecs.launchtype} value ({@code ec2}/{@code fargate}), else null. */
  public static String launchType(String launchType) {
    String lt = launchType.toLowerCase(Locale.ROOT);
    return lt.equals("ec2") || lt.equals("fargate") ? lt : null;
  }

  // ---------------------------------------------------------------- ecs detector

  /**
   * The attributes of the resourcedetection {@code ecs} detector (spec/ecs.md 2), all of them (the
   * caller drops the disabled ones). {@code self} is the collector's own container ({@code GET ${V4}});
   * when null (that request failed) the log attributes are not computed.
   */
  public static List<KeyValue> detectorAttributes(EcsTaskMetadata task, EcsContainerMetadata self) {
    List<KeyValue> out = new ArrayList<>(15);
    out.add(str(CLOUD_PROVIDER, "aws"));
    out.add(str(CLOUD_PLATFORM, "aws_ecs"));
    out.add(str(TASK_ARN, task.taskArn()));
    out.add(str(TASK_FAMILY, task.family()));
    out.add(str(TASK_REVISION, task.revision()));
    TaskArn arn = TaskArn.parse(task.taskArn());
    if (!arn.account().isEmpty()) {
      out.add(str(CLOUD_ACCOUNT_ID, arn.account()));
    }
    if (!arn.region().isEmpty()) {
      out.add(str(CLOUD_REGION, arn.region()));
    }
    if (!arn.taskId().isEmpty()) {
      out.add(str(TASK_ID, arn.taskId()));
    }
    out.add(str(CLUSTER_ARN, clusterArn(task.cluster(), arn.region(), arn.account())));
    if (!task.availabilityZone().isEmpty()) {
      out.add(str(CLOUD_AVAILABILITY_ZONE, task.availabilityZone()));
    }
    String lt = launchType(task.launchType());
    if (lt != null) {
      out.add(str(LAUNCHTYPE, lt));
    }
    if (self != null) {
      addLogAttributes(out, task.containers(), self, arn.account());
    }
    return List.copyOf(out);
  }

  /**
   * Log groups and streams of the other {@code awslogs} containers: {@code NORMAL}, {@code RUNNING},
   * not the collector's own container, with log options; the ARN region is {@code awslogs-region}.
   */
  private static void addLogAttributes(
      List<KeyValue> out, List<EcsContainerMetadata> containers, EcsContainerMetadata self, String account) {
    List<String> groups = new ArrayList<>();
    List<String> groupArns = new ArrayList<>();
    List<String> streams = new ArrayList<>();
    List<String> streamArns = new ArrayList<>();
    for (EcsContainerMetadata c : containers) {
      boolean hasLogOptions = !c.logGroup().isEmpty() || !c.logRegion().isEmpty() || !c.logStream().isEmpty();
      if (c.type().equals("NORMAL") && c.knownStatus().equals("RUNNING") && c.logDriver().equals("awslogs")
          && !c.dockerId().equals(self.dockerId()) && hasLogOptions) {
        groups.add(c.logGroup());
        groupArns.add(logGroupArn(c.logRegion(), account, c.logGroup()));
        streams.add(c.logStream());
        streamArns.add(logStreamArn(c.logRegion(), account, c.logGroup(), c.logStream()));
      }
    }
    if (!groups.isEmpty()) {
      out.add(strings(LOG_GROUP_NAMES, groups));
      out.add(strings(LOG_GROUP_ARNS, groupArns));
      out.add(strings(LOG_STREAM_NAMES, streams));
      out.add(strings(LOG_STREAM_ARNS, streamArns));
    }
  }

  // ---------------------------------------------------------------- awsecscontainermetrics resources

  /** Task resource of the awsecscontainermetrics receiver (spec/ecs.md 3.2). */
  public static List<KeyValue> taskResourceAttributes(EcsTaskMetadata task) {
    List<KeyValue> out = new ArrayList<>(15);
    String cluster = task.cluster();
    if (cluster.startsWith("arn:aws")) {
      cluster = cluster.substring(cluster.lastIndexOf('/') + 1);
    }
    String arn = task.taskArn();
    String taskId = arn.startsWith("arn:aws:ecs") ? arn.substring(arn.lastIndexOf('/') + 1) : "";
    int slash = arn.indexOf('/');
    String[] fields = (slash < 0 ? arn : arn.substring(0, slash)).split(":", -1);
    out.add(str(CLUSTER_NAME, cluster));
    out.add(str(TASK_ARN, arn));
    out.add(str(TASK_ID, taskId));
    out.add(str(TASK_FAMILY, task.family()));
    out.add(str(TASK_VERSION, task.revision()));
    out.add(str(TASK_REVISION, task.revision()));
    out.add(str(SERVICE_NAME, task.serviceName()));
    out.add(str(CLOUD_AVAILABILITY_ZONE, task.availabilityZone()));
    out.add(str(TASK_PULL_STARTED_AT, task.pullStartedAt()));
    out.add(str(TASK_PULL_STOPPED_AT, task.pullStoppedAt()));
    out.add(str(TASK_KNOWN_STATUS, task.knownStatus()));
    out.add(str(TASK_LAUNCH_TYPE, task.launchType()));
    String lt = launchType(task.launchType());
    if (lt != null) {
      out.add(str(LAUNCHTYPE, lt));
    }
    out.add(str(CLOUD_REGION, fields.length > 3 ? fields[3] : ""));
    out.add(str(CLOUD_ACCOUNT_ID, fields.length > 4 ? fields[4] : ""));
    return List.copyOf(out);
  }

  /**
   * Container resource of the awsecscontainermetrics receiver (spec/ecs.md 3.3). The image is split
   * into repository and tag (a digest suffix is dropped; no tag means {@code latest}).
   */
  public static List<KeyValue> containerResourceAttributes(EcsContainerMetadata c) {
    List<KeyValue> out = new ArrayList<>(11);
    String[] image = splitImage(c.image());
    out.add(str(CONTAINER_NAME, c.name()));
    out.add(str(CONTAINER_ID, c.dockerId()));
    out.add(str(DOCKER_NAME, c.dockerName()));
    out.add(str(CONTAINER_IMAGE_NAME, image[0]));
    out.add(str(CONTAINER_IMAGE_TAG, image[1]));
    out.add(str(CONTAINER_IMAGE_ID, c.imageId()));
    out.add(str(CONTAINER_CREATED_AT, c.createdAt()));
    out.add(str(CONTAINER_STARTED_AT, c.startedAt()));
    if (!c.finishedAt().isEmpty()) {
      out.add(str(CONTAINER_FINISHED_AT, c.finishedAt()));
    }
    out.add(str(CONTAINER_KNOW_STATUS, c.knownStatus()));
    if (c.exitCode() != null) {
      out.add(KeyValue.newBuilder().setKey(CONTAINER_EXIT_CODE)
          .setValue(AnyValue.newBuilder().setIntValue(c.exitCode())).build());
    }
    return List.copyOf(out);
  }

  /** {@code [repository, tag]} of a Docker image reference. */
  static String[] splitImage(String image) {
    String ref = image;
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      return new String[] {ref.substring(0, colon), ref.substring(colon + 1)};
    }
    return new String[] {ref, "latest"};
  }

  // ---------------------------------------------------------------- values

  static KeyValue str(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  static KeyValue strings(String key, List<String> values) {
    ArrayValue.Builder a = ArrayValue.newBuilder();
    for (String v : values) {
      a.addValues(AnyValue.newBuilder().setStringValue(v));
    }
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setArrayValue(a)).build();
  }
}
