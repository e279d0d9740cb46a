package dev.wharf.receiver.otlp;

import com.google.protobuf.Message;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.telemetry.SelfTelemetry.ReceiverMetrics;
import java.util.logging.Level;

/** Hands parsed data of one signal to the pipeline and counts the outcome; one per signal and transport. */
final class Ingest<T extends Message> {
  private final Signal<T> signal;
  private final TelemetryConsumer<T> next;
  private final ReceiverMetrics metrics;
  private final LogLimiter log;

  Ingest(Signal<T> signal, TelemetryConsumer<T> next, ReceiverMetrics metrics, LogLimiter log) {
    this.signal = signal;
    this.next = next;
    this.metrics = metrics;
    this.log = log;
  }

  Signal<T> signal() {
    return signal;
  }

  /** Logs (rate-limited) a request refused before it reached the pipeline; the transport counts it. */
  void badRequest(String transport, String why) {
    log.log(Level.WARNING, () -> "Rejected OTLP/" + transport + " " + signal.id() + " request: " + why);
  }

  /** Returns null when the pipeline took the data, else the refusal (counted and logged). */
  RefusedException deliver(T data) {
    int items = signal.itemCount(data);
    try {
      next.consume(data);
      metrics.accepted(signal, items);
      return null;
    } catch (RefusedException e) {
      metrics.refused(signal, items);
      log.log(Level.WARNING, () -> "Refused " + items + " " + signal.itemName() + " (" + e.reason() + "): " + e.getMessage());
      return e;
    } catch (RuntimeException e) {
      // A bug further down the pipeline: answered as upstream answers non-permanent errors (retryable).
      metrics.refused(signal, items);
      log.log(Level.SEVERE, () -> "Pipeline failed on " + items + " " + signal.itemName() + ": " + e);
      return new RefusedException(RefusedException.Reason.UNAVAILABLE, "pipeline error: " + e, null, e);
    }
  }
}
