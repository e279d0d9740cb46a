package dev.wharf.processor.memorylimiter;

import com.google.protobuf.Message;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.SelfTelemetry;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The {@code memory_limiter} processor. All pipelines that list the same id share one
 * {@link MemoryLimiter} (one checker thread, one refusing flag), as upstream does; the sharing is
 * scoped to this factory instance and the service's telemetry, so two services in one JVM never
 * share a limiter.
 */
public final class MemoryLimiterProcessorFactory implements ProcessorFactory<MemoryLimiterConfig> {

  private record Key(SelfTelemetry telemetry, ComponentId id) {}

  private final Function<ComponentContext, MemorySource> sources;
  private final Function<ComponentContext, TotalMemory> totals;
  private final Map<Key, MemoryLimiter> limiters = new HashMap<>();

  public MemoryLimiterProcessorFactory() {
    this(ctx -> new JvmMemorySource(), ctx -> TotalMemory.system(ctx.env(), ctx.logger()));
  }

  MemoryLimiterProcessorFactory(Function<ComponentContext, MemorySource> sources,
      Function<ComponentContext, TotalMemory> totals) {
    this.sources = sources;
    this.totals = totals;
  }

  @Override
  public String type() {
    return "memory_limiter";
  }

  @Override
  public Map<Signal<?>, Stability> signals() {
    return Map.of(Signal.TRACES, Stability.BETA, Signal.METRICS, Stability.BETA, Signal.LOGS, Stability.BETA);
  }

  @Override
  public MemoryLimiterConfig parseConfig(ConfigNode node) {
    return MemoryLimiterConfig.parse(node);
  }

  @Override
  public <T extends Message> Processor<T> createProcessor(
      ComponentContext context, MemoryLimiterConfig config, Signal<T> signal, TelemetryConsumer<T> next) {
    Key key = new Key(context.telemetry(), context.id());
    MemoryLimiter limiter;
    synchronized (limiters) {
      limiter = limiters.get(key);
      if (limiter == null) {
        limiter = newLimiter(context, config);
        limiters.put(key, limiter);
      }
    }
    final MemoryLimiter shared = limiter;
    return new MemoryLimiterProcessor<>(context, shared, signal, next, () -> {
      if (shared.stop()) {
        synchronized (limiters) {
          limiters.remove(key, shared);
        }
      }
    });
  }

  private MemoryLimiter newLimiter(ComponentContext context, MemoryLimiterConfig config) {
    Logger log = context.logger();
    long total = 0;
    if (config.usesPercentage()) {
      TotalMemory.Result r = totals.apply(context).detect();
      total = r.bytes();
      log.info(() -> "Using percentage memory limiter: total_memory_mib=" + r.bytes() / MemoryLimiter.MIB
          + " (from " + r.source() + "), limit_percentage=" + config.limitPercentage()
          + ", spike_limit_percentage=" + config.spikeLimitPercentage());
    }
    MemoryLimiter.Limits limits = MemoryLimiter.limits(config, total);
    log.info(() -> "Memory limiter configured: limit_mib=" + limits.hardBytes() / MemoryLimiter.MIB
        + ", spike_limit_mib=" + limits.spikeBytes() / MemoryLimiter.MIB + ", check_interval="
        + dev.wharf.config.GoDuration.format(config.checkInterval()));
    MemoryLimiter limiter = new MemoryLimiter(config, limits, sources.apply(context), System::nanoTime, log);
    String id = context.id().toString();
    SelfTelemetry t = context.telemetry();
    t.gauge("wharf_memory_limiter_refusing", "1 while the memory limiter refuses data, else 0.",
        () -> limiter.mustRefuse() ? 1 : 0, "processor", id);
    t.gauge("wharf_memory_limiter_used_bytes",
        "Memory measured at the last check: live heap + non-heap + direct buffers.", limiter::lastUsed,
        "processor", id);
    t.gauge("wharf_memory_limiter_limit_bytes", "Hard limit of the memory limiter.",
        () -> limits.hardBytes(), "processor", id, "limit", "hard");
    t.gauge("wharf_memory_limiter_limit_bytes", "Soft limit of the memory limiter (hard - spike).",
        () -> limits.softBytes(), "processor", id, "limit", "soft");
    t.gauge("wharf_memory_limiter_forced_gcs", "Collections forced by the memory limiter since start.",
        limiter::forcedGcs, "processor", id);
    return limiter;
  }
}
