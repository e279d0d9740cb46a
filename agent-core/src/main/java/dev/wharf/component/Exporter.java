package dev.wharf.component;

import dev.wharf.pipeline.TelemetryConsumer;

/**
 * The end of a pipeline. One instance per (component id, signal), shared by every pipeline of that
 * signal naming it. Network exporters are built with {@code dev.wharf.exporterhelper.ExporterHelper}
 * and only implement "send this one request".
 */
public interface Exporter<T> extends Component, TelemetryConsumer<T> {}
