package dev.wharf.component;

import dev.wharf.pipeline.Signal;
import java.util.Map;

/** Creates extensions (health_check, file_storage, sigv4auth, ...): one instance per id. */
public interface ExtensionFactory<C> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.EXTENSION;
  }

  @Override
  default Map<Signal<?>, Stability> signals() {
    return Map.of();
  }

  Component createExtension(ComponentContext context, C config);
}
