package dev.wharf.telemetry;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process self-metrics with upstream's names: uptime, CPU seconds, heap in use, total heap
 * committed, RSS (from /proc/self/status where available).
 */
public final class ProcessMetrics {
  private ProcessMetrics() {}

  public static void register(MeterRegistry registry) {
    long startNanos = System.nanoTime();
    FunctionCounter.builder("otelcol_process_uptime", startNanos, s -> (System.nanoTime() - s) / 1e9)
        .description("Uptime of the process.").baseUnit("seconds").register(registry);
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      FunctionCounter.builder("otelcol_process_cpu_seconds", sun, b -> b.getProcessCpuTime() / 1e9)
          .description("Total CPU user and system time in seconds.").register(registry);
    }
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    Gauge.builder("otelcol_process_runtime_heap_alloc_bytes", mem, m -> m.getHeapMemoryUsage().getUsed())
        .description("Bytes of allocated heap objects.").register(registry);
    Gauge.builder("otelcol_process_runtime_total_sys_memory_bytes", mem,
            m -> m.getHeapMemoryUsage().getCommitted() + m.getNonHeapMemoryUsage().getCommitted())
        .description("Heap and non-heap memory the JVM has committed.").register(registry);
    Gauge.builder("otelcol_process_memory_rss", ProcessMetrics::rssBytes)
        .description("Total physical memory (resident set size).").register(registry);
  }

  /** Resident set size from /proc/self/status, or NaN where there is no /proc. */
  public static double rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return Double.NaN;
  }
}
