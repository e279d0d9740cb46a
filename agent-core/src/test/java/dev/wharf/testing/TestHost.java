package dev.wharf.testing;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentId;
import dev.wharf.component.Host;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A host for starting single components in unit tests. */
public final class TestHost implements Host {
  private final Map<ComponentId, Component> extensions = new HashMap<>();
  private volatile boolean ready = true;

  public TestHost withExtension(String id, Component extension) {
    extensions.put(ComponentId.parse(id), extension);
    return this;
  }

  public void ready(boolean ready) {
    this.ready = ready;
  }

  @Override
  public Optional<Component> extension(ComponentId id) {
    return Optional.ofNullable(extensions.get(id));
  }

  @Override
  public ServiceStatus status() {
    Instant since = Instant.now();
    return new ServiceStatus() {
      @Override
      public boolean ready() {
        return ready;
      }

      @Override
      public Instant readySince() {
        return ready ? since : null;
      }
    };
  }
}
