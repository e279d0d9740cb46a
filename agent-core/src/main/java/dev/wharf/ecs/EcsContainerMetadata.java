package dev.wharf.ecs;

import java.util.List;
import java.util.Map;

/**
 * One container object of the task metadata endpoint v4 ({@code GET ${V4}} for the calling
 * container, or an element of {@code Containers} of {@code GET ${V4}/task}); spec/ecs.md 1.4.
 * Absent strings are empty (as upstream's Go zero values); absent numbers are null.
 */
public record EcsContainerMetadata(
    String dockerId,
    String name,
    String dockerName,
    String image,
    String imageId,
    Map<String, String> labels,
    String desiredStatus,
    String knownStatus,
    Long exitCode,
    EcsLimits limits,
    String createdAt,
    String startedAt,
    String finishedAt,
    String type,
    String logDriver,
    Map<String, String> logOptions,
    String containerArn,
    List<String> ipv4Addresses) {

  public EcsContainerMetadata {
    labels = Map.copyOf(labels);
    logOptions = Map.copyOf(logOptions);
    ipv4Addresses = List.copyOf(ipv4Addresses);
    limits = limits == null ? EcsLimits.NONE : limits;
  }

  /** {@code LogOptions.awslogs-group}, or "". */
  public String logGroup() {
    return logOptions.getOrDefault("awslogs-group", "");
  }

  /** {@code LogOptions.awslogs-region}, or "". */
  public String logRegion() {
    return logOptions.getOrDefault("awslogs-region", "");
  }

  /** {@code LogOptions.awslogs-stream}, or "". */
  public String logStream() {
    return logOptions.getOrDefault("awslogs-stream", "");
  }
}
