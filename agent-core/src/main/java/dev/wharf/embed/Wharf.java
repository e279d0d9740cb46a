package dev.wharf.embed;

import dev.wharf.config.ConfigResolver;
import dev.wharf.service.Components;
import dev.wharf.service.Service;
import dev.wharf.service.ServiceConfig;
import dev.wharf.telemetry.SelfTelemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A running Wharf collector inside a Java application (or a test): the same engine the sidecar runs,
 * started from a YAML string or config locations.
 *
 * <pre>{@code
 * try (Wharf wharf = Wharf.builder().config(yaml).start()) {
 *   ...
 * }
 * }</pre>
 *
 * An embedded collector serves self-metrics only when {@code service.telemetry.metrics.address} is
 * set, and leaves the application's logging configuration alone.
 */
public final class Wharf implements AutoCloseable {
  private final Service service;

  private Wharf(Service service) {
    this.service = service;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Service service() {
    return service;
  }

  public SelfTelemetry telemetry() {
    return service.telemetry();
  }

  /** Graceful stop (shutdown delay, flush, drain); returns when stopped. */
  public void shutdown() {
    service.shutdown();
  }

  @Override
  public void close() {
    shutdown();
  }

  /** Configures and starts a {@link Wharf}. */
  public static final class Builder {
    private final List<String> locations = new ArrayList<>();
    private Map<String, String> env = Map.of();
    private Components components;
    private boolean embedded = true;

    private Builder() {}

    /** A whole config as YAML text; may be combined with other sources (later ones merge over). */
    public Builder config(String yaml) {
      locations.add("yaml:" + yaml);
      return this;
    }

    /** A config location as on the command line: a path, {@code file:}, {@code env:}, {@code yaml:}, {@code http(s):}. */
    public Builder location(String location) {
      locations.add(location);
      return this;
    }

    public Builder locations(List<String> locations) {
      this.locations.addAll(locations);
      return this;
    }

    /** The environment that {@code ${env:...}} references and components see. Default: empty. */
    public Builder env(Map<String, String> env) {
      this.env = Map.copyOf(env);
      return this;
    }

    /** The component factories to use; default: every one on the class path. */
    public Builder components(Components components) {
      this.components = components;
      return this;
    }

    /** False for the command-line collector: self-metrics default to :8888. */
    public Builder embedded(boolean embedded) {
      this.embedded = embedded;
      return this;
    }

    /** Resolves and validates the config without starting anything. */
    public ServiceConfig validate() {
      Components c = components != null ? components : Components.load();
      Map<String, Object> raw = new ConfigResolver(env).resolve(locations);
      return ServiceConfig.bind(raw, c, env, embedded);
    }

    /**
     * Resolves, validates and starts.
     *
     * @throws dev.wharf.config.ConfigException listing every problem of an invalid config
     * @throws Exception when a component cannot start (e.g. a port in use)
     */
    public Wharf start() throws Exception {
      Service service = new Service(validate(), env);
      service.start();
      return new Wharf(service);
    }
  }
}
