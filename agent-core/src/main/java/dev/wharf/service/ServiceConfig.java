package dev.wharf.service;

import dev.wharf.component.ComponentFactory;
import dev.wharf.component.ComponentId;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.config.Endpoint;
import dev.wharf.pipeline.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The effective configuration bound and validated: every component's typed config, the pipelines,
 * extensions, self-telemetry and shutdown settings. {@link #bind} reports every problem at once.
 */
public record ServiceConfig(
    Map<ComponentKind, Map<ComponentId, ComponentEntry>> components,
    Map<PipelineId, Pipeline> pipelines,
    List<ComponentId> extensions,
    Telemetry telemetry,
    Shutdown shutdown) {

  /** One configured component: its factory and bound config. */
  public record ComponentEntry(ComponentId id, ComponentFactory<?> factory, Object config) {}

  /** One pipeline's component ids, in order. */
  public record Pipeline(PipelineId id, List<ComponentId> receivers, List<ComponentId> processors,
      List<ComponentId> exporters) {}

  /**
   * {@code service.telemetry}: where self-metrics are served (null address = not served), and the
   * log level and encoding ({@code console} or {@code json}).
   */
  public record Telemetry(Endpoint metricsAddress, String metricsLevel, String logLevel, String logEncoding) {}

  /**
   * {@code service.shutdown} (a Wharf key): after SIGTERM, keep receiving for {@code delay} (the app
   * container of the task is flushing at the same moment), then drain within {@code timeout} in all.
   */
  public record Shutdown(Duration delay, Duration timeout) {}

  public static final List<String> LOG_LEVELS = List.of("debug", "info", "warn", "error");

  /**
   * Binds a resolved config map. {@code embedded} changes one default: an embedded service serves
   * self-metrics only when {@code service.telemetry.metrics.address} is set.
   */
  public static ServiceConfig bind(Map<String, Object> raw, Components registry, Map<String, String> env,
      boolean embedded) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode root = ConfigNode.root(raw, problems);
    Map<ComponentKind, Map<ComponentId, ComponentEntry>> components = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      components.put(kind, bindSection(root, kind, registry));
    }
    if (root.has("connectors")) {
      root.problem("connectors", "connectors are not supported by Wharf yet");
    }
    ConfigNode service = root.child("service");
    if (!root.has("service")) {
      root.problem("service", "is required: it lists the pipelines to run");
    }
    List<ComponentId> extensions = new ArrayList<>();
    List<String> extIds = service.stringList("extensions", List.of());
    for (int i = 0; i < extIds.size(); i++) {
      ComponentId id = parseId(service, "extensions[" + i + "]", extIds.get(i));
      if (id == null) {
        continue;
      }
      if (!components.get(ComponentKind.EXTENSION).containsKey(id)) {
        problems.add(service.pathOf("extensions[" + i + "]"), "extension '" + id
            + "' is not defined under extensions" + ConfigNode.suggestion(id.toString(),
                ids(components.get(ComponentKind.EXTENSION))));
      } else if (extensions.contains(id)) {
        problems.add(service.pathOf("extensions[" + i + "]"), "extension '" + id + "' is listed twice");
      } else {
        extensions.add(id);
      }
    }
    Map<PipelineId, Pipeline> pipelines = bindPipelines(service, components, problems);
    Telemetry telemetry = bindTelemetry(service.child("telemetry"), env, embedded);
    Shutdown shutdown = bindShutdown(service.child("shutdown"), env);
    root.checkUnknownKeys();
    problems.throwIfAny();
    return new ServiceConfig(components, pipelines, List.copyOf(extensions), telemetry, shutdown);
  }

  private static Map<ComponentId, ComponentEntry> bindSection(ConfigNode root, ComponentKind kind,
      Components registry) {
    Map<ComponentId, ComponentEntry> out = new LinkedHashMap<>();
    ConfigNode section = root.child(kind.section());
    for (String key : section.keys()) {
      ComponentId id = parseId(section, key, key);
      Object value = section.raw(key);
      if (id == null) {
        continue;
      }
      ComponentFactory<?> f = registry.get(kind, id.type());
      if (f == null) {
        section.problem(key, "unknown " + kind.label() + " type '" + id.type() + "'"
            + ConfigNode.suggestion(id.type(), registry.types(kind)) + " (this build has: "
            + String.join(", ", registry.types(kind)) + ")");
        continue;
      }
      if (value != null && !(value instanceof Map)) {
        section.problem(key, "expected a map of settings, got " + value);
        continue;
      }
      @SuppressWarnings("unchecked")
      ConfigNode node = ConfigNode.of(section.pathOf(key), (Map<String, ?>) value, root.problems());
      Object config = f.parseConfig(node);
      node.checkUnknownKeys();
      out.put(id, new ComponentEntry(id, f, config));
    }
    return out;
  }

  private static ComponentId parseId(ConfigNode node, String key, String text) {
    try {
      return ComponentId.parse(text);
    } catch (IllegalArgumentException e) {
      node.problem(key, e.getMessage());
      return null;
    }
  }

  private static List<String> ids(Map<ComponentId, ?> m) {
    List<String> out = new ArrayList<>();
    for (ComponentId id : m.keySet()) {
      out.add(id.toString());
    }
    return out;
  }

  private static Map<PipelineId, Pipeline> bindPipelines(ConfigNode service,
      Map<ComponentKind, Map<ComponentId, ComponentEntry>> components, ConfigProblems problems) {
    Map<PipelineId, Pipeline> out = new LinkedHashMap<>();
    ConfigNode pipelinesNode = service.child("pipelines");
    if (pipelinesNode.isEmpty()) {
      service.problem("pipelines", "at least one pipeline is required");
    }
    for (String key : pipelinesNode.keys()) {
      ConfigNode p = pipelinesNode.child(key);
      String signalName = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
      String name = key.contains("/") ? key.substring(key.indexOf('/') + 1) : "";
      Signal<?> signal = Signal.byId(signalName);
      if (signal == null) {
        pipelinesNode.problem(key, "unknown pipeline type '" + signalName + "', expected traces, metrics or logs"
            + ConfigNode.suggestion(signalName, List.of("traces", "metrics", "logs")));
        p.opaque();
        continue;
      }
      PipelineId pid = new PipelineId(signal, name);
      List<ComponentId> receivers = refs(p, "receivers", ComponentKind.RECEIVER, signal, components, true);
      List<ComponentId> processors = refs(p, "processors", ComponentKind.PROCESSOR, signal, components, false);
      List<ComponentId> exporters = refs(p, "exporters", ComponentKind.EXPORTER, signal, components, true);
      out.put(pid, new Pipeline(pid, receivers, processors, exporters));
    }
    return out;
  }

  private static List<ComponentId> refs(ConfigNode p, String key, ComponentKind kind, Signal<?> signal,
      Map<ComponentKind, Map<ComponentId, ComponentEntry>> components, boolean required) {
    List<String> names = p.stringList(key, List.of());
    if (required && names.isEmpty()) {
      p.problem(key, "must list at least one " + kind.label());
    }
    Set<ComponentId> seen = new LinkedHashSet<>();
    for (int i = 0; i < names.size(); i++) {
      String at = key + "[" + i + "]";
      ComponentId id = parseId(p, at, names.get(i));
      if (id == null) {
        continue;
      }
      ComponentEntry e = components.get(kind).get(id);
      if (e == null) {
        p.problem(at, kind.label() + " '" + id + "' is not defined under " + kind.section()
            + ConfigNode.suggestion(id.toString(), ids(components.get(kind))));
        continue;
      }
      Stability st = e.factory().signals().get(signal);
      if (st == null) {
        p.problem(at, kind.label() + " '" + id + "' does not support " + signal.id() + " (it supports: "
            + supported(e.factory()) + ")");
        continue;
      }
      if (!seen.add(id)) {
        p.problem(at, kind.label() + " '" + id + "' is listed twice");
        continue;
      }
      @SuppressWarnings("unchecked")
      ComponentFactory<Object> f = (ComponentFactory<Object>) e.factory();
      for (ConfigProblems.Problem pr : f.problemsFor(e.config(), signal)) {
        p.problems().add(pr.path(), pr.message());
      }
    }
    return List.copyOf(seen);
  }

  private static String supported(ComponentFactory<?> f) {
    List<String> s = new ArrayList<>();
    for (Signal<?> sig : f.signals().keySet()) {
      s.add(sig.id());
    }
    return s.isEmpty() ? "none" : String.join(", ", s);
  }

  private static Telemetry bindTelemetry(ConfigNode t, Map<String, String> env, boolean embedded) {
    ConfigNode metrics = t.child("metrics");
    String level = metrics.oneOf("level", "normal", List.of("none", "basic", "normal", "detailed"));
    Endpoint address = metrics.endpoint("address", embedded ? null : new Endpoint("", 8888));
    if ("none".equals(level)) {
      address = null;
    }
    ConfigNode logs = t.child("logs");
    String logLevel = logs.string("level", "info").toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      logs.problem("level", "expected one of " + LOG_LEVELS + ", got '" + logLevel + "'");
      logLevel = "info";
    }
    String envLevel = env.get("WHARF_LOG_LEVEL");
    if (envLevel != null && LOG_LEVELS.contains(envLevel.toLowerCase(Locale.ROOT))) {
      logLevel = envLevel.toLowerCase(Locale.ROOT);
    }
    String encoding = logs.oneOf("encoding", env.getOrDefault("WHARF_LOG_FORMAT", "console"),
        List.of("console", "json"));
    return new Telemetry(address, level, logLevel, encoding);
  }

  private static Shutdown bindShutdown(ConfigNode s, Map<String, String> env) {
    Duration delay = envDuration(env, "WHARF_SHUTDOWN_DELAY", Duration.ZERO, s);
    Duration timeout = envDuration(env, "WHARF_SHUTDOWN_TIMEOUT", Duration.ofSeconds(25), s);
    delay = s.nonNegativeDuration("delay", delay);
    timeout = s.nonNegativeDuration("timeout", timeout);
    if (delay.compareTo(timeout) > 0) {
      s.problem("delay", "must not be longer than service.shutdown.timeout");
    }
    return new Shutdown(delay, timeout);
  }

  private static Duration envDuration(Map<String, String> env, String name, Duration def, ConfigNode at) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return def;
    }
    try {
      return dev.wharf.config.GoDuration.parse(v);
    } catch (IllegalArgumentException e) {
      at.problems().add("env " + name, e.getMessage());
      return def;
    }
  }

  /** The config of one component, for tests. */
  public Object configOf(ComponentKind kind, String id) {
    ComponentEntry e = components.get(kind).get(ComponentId.parse(id));
    if (e == null) {
      throw new ConfigException(kind.label() + " '" + id + "' is not configured");
    }
    return e.config();
  }
}
