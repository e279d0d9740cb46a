package dev.wharf.ecs;

import java.util.List;

/**
 * The task object of {@code GET ${V4}/task} (spec/ecs.md 1.3). {@code cluster} is a short name on EC2
 * and a full ARN on Fargate; {@code launchType} is as received (compare case-insensitively).
 * Absent strings are empty; absent numbers and {@code limits} members are null.
 */
public record EcsTaskMetadata(
    String cluster,
    String taskArn,
    String family,
    String revision,
    String desiredStatus,
    String knownStatus,
    String availabilityZone,
    String launchType,
    String serviceName,
    String vpcId,
    String pullStartedAt,
    String pullStoppedAt,
    String executionStoppedAt,
    EcsLimits limits,
    Long ephemeralStorageUtilized,
    Long ephemeralStorageReserved,
    List<EcsContainerMetadata> containers) {

  public EcsTaskMetadata {
    containers = List.copyOf(containers);
    limits = limits == null ? EcsLimits.NONE : limits;
  }
}
