package dev.wharf.component;

import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;

/** Creates processors: one instance per pipeline that lists the processor id. */
public interface ProcessorFactory<C> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.PROCESSOR;
  }

  /** Only called with a signal listed in {@link #signals()}. */
  <T extends com.google.protobuf.Message> Processor<T> createProcessor(
      ComponentContext context, C config, Signal<T> signal, TelemetryConsumer<T> next);
}
