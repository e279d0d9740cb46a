package dev.wharf.ecs;

/**
 * {@code Limits} of a task (CPU in vCPU, e.g. 0.25; memory in MiB) or of a container (CPU in CPU
 * units, 1024 = 1 vCPU; memory in MiB). A member absent from the payload is null.
 */
public record EcsLimits(Double cpu, Long memory) {
  public static final EcsLimits NONE = new EcsLimits(null, null);
}
