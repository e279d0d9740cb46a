package dev.wharf.component;

import dev.wharf.pipeline.Signal;

/** Creates exporters: one instance per (exporter id, signal). */
public interface ExporterFactory<C> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  /** Only called with a signal listed in {@link #signals()}. */
  <T extends com.google.protobuf.Message> Exporter<T> createExporter(
      ComponentContext context, C config, Signal<T> signal);
}
