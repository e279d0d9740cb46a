package dev.wharf.service;

import dev.wharf.component.ComponentFactory;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.ExporterFactory;
import dev.wharf.component.ExtensionFactory;
import dev.wharf.component.ProcessorFactory;
import dev.wharf.component.ReceiverFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The component factories of this build, by kind and type, found with {@link ServiceLoader}. */
public final class Components {
  private final Map<ComponentKind, Map<String, ComponentFactory<?>>> byKind = new EnumMap<>(ComponentKind.class);

  private Components(List<ComponentFactory<?>> factories) {
    for (ComponentKind k : ComponentKind.values()) {
      byKind.put(k, new TreeMap<>());
    }
    for (ComponentFactory<?> f : factories) {
      ComponentFactory<?> previous = byKind.get(f.kind()).put(f.type(), f);
      if (previous != null && previous.getClass() != f.getClass()) {
        throw new IllegalStateException("two " + f.kind().label() + " factories for type '" + f.type() + "': "
            + previous.getClass().getName() + " and " + f.getClass().getName());
      }
    }
  }

  /** Every factory visible to {@code loader}. */
  public static Components load(ClassLoader loader) {
    List<ComponentFactory<?>> all = new ArrayList<>();
    for (Class<?> type : List.of(ReceiverFactory.class, ProcessorFactory.class, ExporterFactory.class,
        ExtensionFactory.class)) {
      for (Object f : ServiceLoader.load(type, loader)) {
        all.add((ComponentFactory<?>) f);
      }
    }
    return new Components(all);
  }

  public static Components load() {
    return load(Components.class.getClassLoader());
  }

  /** A fixed set of factories, for tests and for embedding with a chosen set. */
  public static Components of(List<ComponentFactory<?>> factories) {
    return new Components(factories);
  }

  public ComponentFactory<?> get(ComponentKind kind, String type) {
    return byKind.get(kind).get(type);
  }

  public Collection<ComponentFactory<?>> all(ComponentKind kind) {
    return byKind.get(kind).values();
  }

  public java.util.Set<String> types(ComponentKind kind) {
    return byKind.get(kind).keySet();
  }
}
