package dev.wharf.component;

import dev.wharf.pipeline.TelemetryConsumer;

/** A pipeline stage between receivers and exporters; one instance per pipeline. */
public interface Processor<T> extends Component, TelemetryConsumer<T> {}
