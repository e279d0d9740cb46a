package dev.wharf.telemetry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process self-metrics with upstream's names: uptime, CPU seconds, heap in use, total heap
 * committed, RSS (from /proc/self/status where available).
 */
public final class ProcessMetrics {
  private ProcessMetrics() {}

  public static void register(MetricRegistry registry) {
    long startNanos = System.nanoTime();
    registry.counter("otelcol_process_uptime_seconds", "Uptime of the process.",
        () -> (System.nanoTime() - startNanos) / 1e9);
    registry.counter("otelcol_process_cpu_seconds", "Total CPU user and system time in seconds.",
        () -> Beans.cpuNanos() / 1e9);
    registry.gauge("otelcol_process_runtime_heap_alloc_bytes", "Bytes of allocated heap objects.",
        () -> Beans.MEMORY.getHeapMemoryUsage().getUsed());
    registry.gauge("otelcol_process_runtime_total_sys_memory_bytes", "Heap and non-heap memory the JVM has committed.",
        () -> Beans.MEMORY.getHeapMemoryUsage().getCommitted() + Beans.MEMORY.getNonHeapMemoryUsage().getCommitted());
    registry.gauge("otelcol_process_memory_rss", "Total physical memory (resident set size).", ProcessMetrics::rssBytes);
  }

  /**
   * The management beans, looked up on the first scrape rather than at start: java.management loads
   * some fifty classes that a sidecar nobody scrapes would otherwise keep for nothing.
   */
  private static final class Beans {
    static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
    static final java.lang.management.OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    static double cpuNanos() {
      return OS instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : Double.NaN;
    }
  }

  /** Resident set size from /proc/self/status, or NaN where there is no /proc. */
  public static double rssBytes() {
    try {
      String status = Files.readString(Path.of("/proc/self/status"), StandardCharsets.US_ASCII);
      int at = status.indexOf("VmRSS:");
      if (at >= 0) {
        int i = at + 6;
        while (i < status.length() && (status.charAt(i) == ' ' || status.charAt(i) == '\t')) {
          i++;
        }
        long kib = 0;
        while (i < status.length() && Character.isDigit(status.charAt(i))) {
          kib = kib * 10 + (status.charAt(i++) - '0');
        }
        return kib * 1024.0;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }
}
