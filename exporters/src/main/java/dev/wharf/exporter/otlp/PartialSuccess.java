package dev.wharf.exporter.otlp;

import com.google.protobuf.Message;
import dev.wharf.exporterhelper.PartialSendException;
import dev.wharf.pipeline.RefusedException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * The {@code partial_success} of an OTLP export response. Rejected items are not retried (the
 * server said they are bad): they are reported to the exporter helper, which counts them as failed
 * and logs the server's message.
 */
public final class PartialSuccess {
  private PartialSuccess() {}

  /** Throws PartialSendException when the response says items were rejected; else returns. */
  public static void check(Message response) {
    long rejected;
    String message;
    if (response instanceof ExportTraceServiceResponse r) {
      rejected = r.getPartialSuccess().getRejectedSpans();
      message = r.getPartialSuccess().getErrorMessage();
    } else if (response instanceof ExportMetricsServiceResponse r) {
      rejected = r.getPartialSuccess().getRejectedDataPoints();
      message = r.getPartialSuccess().getErrorMessage();
    } else if (response instanceof ExportLogsServiceResponse r) {
      rejected = r.getPartialSuccess().getRejectedLogRecords();
      message = r.getPartialSuccess().getErrorMessage();
    } else {
      return;
    }
    if (rejected > 0) {
      throw new PartialSendException(null, rejected, RefusedException.permanent(
          "partial success: the server rejected " + rejected + " items"
              + (message.isEmpty() ? "" : ": " + message)));
    }
  }
}
