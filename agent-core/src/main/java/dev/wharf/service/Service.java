package dev.wharf.service;

import com.google.protobuf.Message;
import dev.wharf.component.BuildInfo;
import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Exporter;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.ExtensionFactory;
import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.ReceiverFactory;
import dev.wharf.config.GoDuration;
import dev.wharf.exporterhelper.ExporterHelper;
import dev.wharf.pipeline.Consumers;
import dev.wharf.pipeline.FanOutConsumer;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.service.ServiceConfig.ComponentEntry;
import dev.wharf.service.ServiceConfig.Pipeline;
import dev.wharf.telemetry.MetricRegistry;
import dev.wharf.telemetry.ProcessMetrics;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.telemetry.TelemetryServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running collector: the component graph built from a {@link ServiceConfig} and its lifecycle.
 *
 * <p>Graph: one instance per receiver id (fanning out to every pipeline that lists it), one
 * processor instance per pipeline, one exporter instance per (exporter id, signal) shared by the
 * pipelines of that signal. Start order: extensions, exporters, processors, receivers; stop in
 * reverse, after the shutdown delay during which receivers keep accepting.
 */
public final class Service implements Host {
  private static final Logger LOG = Logger.getLogger("wharf.service");

  private final ServiceConfig config;
  private final Map<String, String> env;
  private final BuildInfo buildInfo;
  private final MetricRegistry registry;
  private final SelfTelemetry telemetry;

  private final Map<ComponentId, Component> extensions = new LinkedHashMap<>();
  private final List<Component> exporters = new ArrayList<>();
  private final List<Component> processors = new ArrayList<>();
  private final List<Component> receivers = new ArrayList<>();
  private final Map<ComponentId, Component> receiverById = new LinkedHashMap<>();
  /** A readable name per component instance, for logs and errors. */
  private final Map<Component, String> names = new java.util.IdentityHashMap<>();
  private final java.util.Set<Component> started =
      java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile State state = State.CREATED;
  private volatile Instant readySince;
  private TelemetryServer telemetryServer;

  /** Where the service is in its life; health answers 200 only in RUNNING. */
  public enum State {
    CREATED,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED
  }

  public Service(ServiceConfig config, Map<String, String> env) {
    this.config = config;
    this.env = Map.copyOf(env);
    this.buildInfo = BuildInfo.current();
    // Upstream labels every self-metric with the service's identity.
    this.registry = new MetricRegistry("service_name", buildInfo.command(), "service_version", buildInfo.version());
    this.telemetry = new SelfTelemetry(registry);
  }

  public SelfTelemetry telemetry() {
    return telemetry;
  }

  /** Self-metrics in Prometheus text format, as served on the telemetry address. */
  public String scrapeMetrics() {
    return registry.scrape();
  }

  /** The bound self-metrics address; empty when not served. */
  public Optional<InetSocketAddress> telemetryAddress() {
    return telemetryServer == null ? Optional.empty() : Optional.of(telemetryServer.address());
  }

  public State state() {
    return state;
  }

  public ServiceConfig config() {
    return config;
  }

  /**
   * Builds the graph and starts every component. On failure everything started is shut down again
   * and the exception is rethrown.
   */
  public synchronized void start() throws Exception {
    if (state != State.CREATED) {
      throw new IllegalStateException("service already " + state);
    }
    state = State.STARTING;
    long t0 = System.nanoTime();
    try {
      if (config.telemetry().metricsAddress() != null) {
        ProcessMetrics.register(registry);
        telemetryServer = TelemetryServer.start(config.telemetry().metricsAddress(), registry);
        LOG.info("Serving self-metrics on http://" + hostPort(telemetryServer.address()) + "/metrics");
      }
      build();
      for (Component c : extensions.values()) {
        startOne(c);
      }
      for (Component c : exporters) {
        startOne(c);
      }
      for (Component c : processors) {
        startOne(c);
      }
      for (Component c : receivers) {
        startOne(c);
      }
    } catch (Exception e) {
      state = State.STOPPING;
      stopStarted(System.nanoTime() + Duration.ofSeconds(5).toNanos());
      closeTelemetry();
      state = State.STOPPED;
      stopped.countDown();
      throw e;
    }
    readySince = Instant.now();
    state = State.RUNNING;
    LOG.info(() -> "Everything is ready. Begin running and processing data. (" + config.pipelines().size()
        + " pipelines, started in " + (System.nanoTime() - t0) / 1_000_000 + " ms)");
  }

  private void startOne(Component c) throws Exception {
    try {
      c.start(this);
    } catch (Exception e) {
      throw new IllegalStateException("failed to start " + names.get(c) + ": " + e.getMessage(), e);
    }
    started.add(c);
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  // ---- graph ----

  private void build() {
    for (ComponentId id : config.extensions()) {
      ComponentEntry e = config.components().get(ComponentKind.EXTENSION).get(id);
      ExtensionFactory<Object> f = cast(e.factory());
      extensions.put(id, named(f.createExtension(context(id, ComponentKind.EXTENSION, null), e.config()),
          "extension " + id));

    }
    Map<ExporterKey, TelemetryConsumer<?>> exporterInstances = new HashMap<>();
    Map<ComponentId, Map<Signal<?>, List<TelemetryConsumer<?>>>> receiverTargets = new LinkedHashMap<>();
    for (Pipeline p : config.pipelines().values()) {
      buildPipeline(p, exporterInstances, receiverTargets);
    }
    for (Map.Entry<ComponentId, Map<Signal<?>, List<TelemetryConsumer<?>>>> r : receiverTargets.entrySet()) {
      ComponentId id = r.getKey();
      ComponentEntry e = config.components().get(ComponentKind.RECEIVER).get(id);
      Consumers next = new Consumers(fanOut(r.getValue().get(Signal.TRACES)),
          fanOut(r.getValue().get(Signal.METRICS)), fanOut(r.getValue().get(Signal.LOGS)));
      ReceiverFactory<Object> f = cast(e.factory());
      Component receiver = named(f.createReceiver(context(id, ComponentKind.RECEIVER, null), e.config(), next),
          "receiver " + id);
      receivers.add(receiver);
      receiverById.put(id, receiver);
    }
  }

  private record ExporterKey(ComponentId id, Signal<?> signal) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void buildPipeline(Pipeline p, Map<ExporterKey, TelemetryConsumer<?>> exporterInstances,
      Map<ComponentId, Map<Signal<?>, List<TelemetryConsumer<?>>>> receiverTargets) {
    Signal signal = p.id().signal();
    List<TelemetryConsumer<?>> outs = new ArrayList<>();
    for (ComponentId id : p.exporters()) {
      TelemetryConsumer<?> exp = exporterInstances.computeIfAbsent(new ExporterKey(id, signal), k -> {
        ComponentEntry e = config.components().get(ComponentKind.EXPORTER).get(id);
        ExporterFactory<Object> f = cast(e.factory());
        Exporter<?> x = f.createExporter(context(id, ComponentKind.EXPORTER, signal), e.config(), signal);
        exporters.add(named(x, "exporter " + id + " (" + signal.id() + ")"));
        return x;
      });
      outs.add(exp);
    }
    TelemetryConsumer next = fanOut(outs);
    List<Component> chain = new ArrayList<>();
    List<ComponentId> procs = p.processors();
    for (int i = procs.size() - 1; i >= 0; i--) {
      ComponentId id = procs.get(i);
      ComponentEntry e = config.components().get(ComponentKind.PROCESSOR).get(id);
      ProcessorFactory<Object> f = cast(e.factory());
      Processor proc = f.createProcessor(context(id, ComponentKind.PROCESSOR, signal), e.config(), signal, next);
      chain.add(0, named(proc, "processor " + id + " in pipeline " + p.id()));
      next = proc;
    }
    processors.addAll(chain);
    for (ComponentId r : p.receivers()) {
      receiverTargets.computeIfAbsent(r, k -> new LinkedHashMap<>())
          .computeIfAbsent(signal, k -> new ArrayList<>()).add(next);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static <T> TelemetryConsumer<T> fanOut(List<TelemetryConsumer<?>> list) {
    if (list == null || list.isEmpty()) {
      return null;
    }
    return FanOutConsumer.of((List) list);
  }

  private <C extends Component> C named(C c, String name) {
    if (c == null) {
      throw new IllegalStateException(name + ": factory returned no component");
    }
    names.put(c, name);
    return c;
  }

  private ComponentContext context(ComponentId id, ComponentKind kind, Signal<?> signal) {
    return new ComponentContext(id, kind, signal, telemetry, env, buildInfo);
  }

  @SuppressWarnings("unchecked")
  private static <F> F cast(Object f) {
    return (F) f;
  }

  // ---- stop ----

  /**
   * Graceful stop: health turns unhealthy at once; receivers keep accepting for the configured
   * delay; then receivers stop, processors flush in pipeline order, exporters drain until the
   * shutdown timeout, extensions stop. Idempotent; returns when everything has stopped.
   */
  public void shutdown() {
    synchronized (this) {
      if (state == State.STOPPING || state == State.STOPPED) {
        awaitStopped();
        return;
      }
      state = State.STOPPING;
    }
    long deadline = System.nanoTime() + config.shutdown().timeout().toNanos();
    Duration delay = config.shutdown().delay();
    if (!delay.isZero()) {
      LOG.info("Shutdown requested: health is now unavailable; still receiving for "
          + GoDuration.format(delay) + " (service.shutdown.delay)");
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else {
      LOG.info("Shutdown requested");
    }
    stopStarted(deadline);
    closeTelemetry();
    state = State.STOPPED;
    stopped.countDown();
    LOG.info("Shutdown complete.");
  }

  private void stopStarted(long deadline) {
    // Receivers first, then processors from the start of each pipeline, then exporters, extensions.
    List<Component> order = new ArrayList<>();
    for (int i = receivers.size() - 1; i >= 0; i--) {
      order.add(receivers.get(i));
    }
    order.addAll(processors);
    order.addAll(exporters);
    List<Component> ext = new ArrayList<>(extensions.values());
    for (int i = ext.size() - 1; i >= 0; i--) {
      order.add(ext.get(i));
    }
    long dropped = 0;
    for (Component c : order) {
      if (!started.contains(c)) {
        continue;
      }
      try {
        c.shutdown(deadline);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Error while stopping " + names.get(c) + ": " + e, e);
      }
    }
    for (Component c : exporters) {
      if (c instanceof ExporterHelper<?> h) {
        dropped += h.droppedAtShutdown();
      }
    }
    if (dropped > 0) {
      LOG.warning("Could not deliver " + dropped + " items before the shutdown deadline (see exporter logs)");
    }
  }

  private void closeTelemetry() {
    if (telemetryServer != null) {
      telemetryServer.close();
    }
  }

  /** Blocks until the service has stopped. */
  public void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The receiver instance with this id, if a pipeline uses it. */
  public Optional<Component> receiver(ComponentId id) {
    return Optional.ofNullable(receiverById.get(id));
  }

  // ---- Host ----

  @Override
  public Optional<Component> extension(ComponentId id) {
    return Optional.ofNullable(extensions.get(id));
  }

  @Override
  public ServiceStatus status() {
    return new ServiceStatus() {
      @Override
      public boolean ready() {
        return state == State.RUNNING;
      }

      @Override
      public Instant readySince() {
        return state == State.RUNNING ? readySince : null;
      }
    };
  }
}
