package dev.wharf.processor.memorylimiter;

import dev.wharf.ecs.EcsMetadataClient;
import dev.wharf.ecs.EcsMetadataException;
import dev.wharf.ecs.EcsTaskMetadata;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The memory {@code limit_percentage} is a percentage of: the cgroup limit of this container (v2
 * {@code memory.max}, v1 {@code memory.limit_in_bytes}); when the cgroup has no limit (Fargate with
 * only a task-level size: {@code memory.max} reads {@code max} and the micro-VM is larger than the
 * task), the task's {@code Limits.Memory} from the ECS task metadata endpoint
 * ({@code ${ECS_CONTAINER_METADATA_URI_V4}/task}); else physical memory.
 */
public final class TotalMemory {
  /** cgroup v1 writes a page-aligned Long.MAX_VALUE for "no limit"; anything this large is none. */
  static final long V1_UNLIMITED = 0x7FFF_FFFF_FFFF_F000L;
  private static final long MIB = 1024L * 1024L;

  /** What was found and where it came from (for the start-up log line). */
  public record Result(long bytes, String source) {}

  private final Path procSelfCgroup;
  private final Path cgroupRoot;
  private final Map<String, String> env;
  private final LongSupplier physical;
  private final Duration httpTimeout;
  private final Logger log;

  public TotalMemory(Path procSelfCgroup, Path cgroupRoot, Map<String, String> env, LongSupplier physical,
      Duration httpTimeout, Logger log) {
    this.procSelfCgroup = procSelfCgroup;
    this.cgroupRoot = cgroupRoot;
    this.env = env;
    this.physical = physical;
    this.httpTimeout = httpTimeout;
    this.log = log;
  }

  /** The real machine: {@code /proc/self/cgroup}, {@code /sys/fs/cgroup}, the given environment. */
  public static TotalMemory system(Map<String, String> env, Logger log) {
    return new TotalMemory(Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"), env,
        TotalMemory::physicalMemory, Duration.ofSeconds(2), log);
  }

  static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize();
    }
    return Runtime.getRuntime().maxMemory();
  }

  public Result detect() {
    OptionalLong cg = cgroupLimit();
    if (cg.isPresent()) {
      return new Result(cg.getAsLong(), "cgroup memory limit");
    }
    String uri = env.get("ECS_CONTAINER_METADATA_URI_V4");
    if (uri != null && !uri.isBlank()) {
      OptionalLong task = ecsTaskLimitMib(uri);
      if (task.isPresent()) {
        return new Result(task.getAsLong() * MIB, "ECS task metadata Limits.Memory");
      }
    }
    return new Result(physical.getAsLong(), "physical memory");
  }

  /** The cgroup (v2 first, then v1) memory limit of this process; empty when there is none. */
  OptionalLong cgroupLimit() {
    List<Path> candidates = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(procSelfCgroup, StandardCharsets.UTF_8)) {
        String[] f = line.split(":", 3);
        if (f.length < 3) {
          continue;
        }
        String rel = f[2].startsWith("/") ? f[2].substring(1) : f[2];
        if (f[0].equals("0") && f[1].isEmpty()) {
          if (!rel.isEmpty()) {
            candidates.add(cgroupRoot.resolve(rel).resolve("memory.max"));
          }
          candidates.add(cgroupRoot.resolve("memory.max"));
        } else if (List.of(f[1].split(",")).contains("memory")) {
          Path v1 = cgroupRoot.resolve("memory");
          if (!rel.isEmpty()) {
            candidates.add(v1.resolve(rel).resolve("memory.limit_in_bytes"));
          }
          candidates.add(v1.resolve("memory.limit_in_bytes"));
        }
      }
    } catch (IOException e) {
      // not Linux, or /proc hidden: try the usual mount points
    }
    candidates.add(cgroupRoot.resolve("memory.max"));
    candidates.add(cgroupRoot.resolve("memory").resolve("memory.limit_in_bytes"));
    for (Path p : candidates) {
      if (Files.isReadable(p)) {
        try {
          return parseLimit(Files.readString(p, StandardCharsets.US_ASCII));
        } catch (IOException | NumberFormatException e) {
          log.warning(() -> "Cannot read the cgroup memory limit from " + p + ": " + e);
        }
      }
    }
    return OptionalLong.empty();
  }

  /** {@code max} (v2) or a huge value (v1) means no limit. */
  static OptionalLong parseLimit(String content) {
    String s = content.trim();
    if (s.isEmpty() || s.equals("max")) {
      return OptionalLong.empty();
    }
    long v = Long.parseLong(s);
    if (v <= 0 || v >= V1_UNLIMITED) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(v);
  }

  OptionalLong ecsTaskLimitMib(String baseUri) {
    try {
      return taskMemoryMib(new EcsMetadataClient(URI.create(baseUri), httpTimeout).task());
    } catch (EcsMetadataException | IllegalArgumentException e) {
      log.warning(() -> "Cannot read the task memory limit from " + baseUri + ": " + e.getMessage());
      return OptionalLong.empty();
    }
  }

  /** The task-level {@code Limits.Memory} (MiB); empty when absent or 0. */
  static OptionalLong taskMemoryMib(EcsTaskMetadata task) {
    Long mib = task.limits().memory();
    return mib != null && mib > 0 ? OptionalLong.of(mib) : OptionalLong.empty();
  }
}
