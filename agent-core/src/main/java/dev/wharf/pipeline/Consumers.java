package dev.wharf.pipeline;

import io.opentelemetry.proto.logs.v1.LogsData;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;

/**
 * The next consumer of a receiver for each signal; a signal the receiver is not used for in any
 * pipeline is null, and the receiver must not open what only serves that signal.
 */
public record Consumers(
    TelemetryConsumer<TracesData> traces,
    TelemetryConsumer<MetricsData> metrics,
    TelemetryConsumer<LogsData> logs) {

  @SuppressWarnings("unchecked")
  public <T> TelemetryConsumer<T> get(Signal<?> signal) {
    if (signal == Signal.TRACES) {
      return (TelemetryConsumer<T>) traces;
    } else if (signal == Signal.METRICS) {
      return (TelemetryConsumer<T>) metrics;
    }
    return (TelemetryConsumer<T>) logs;
  }
}
