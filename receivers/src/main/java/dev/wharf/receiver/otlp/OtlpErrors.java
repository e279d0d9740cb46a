package dev.wharf.receiver.otlp;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.wharf.pipeline.RefusedException;
import java.time.Duration;

/**
 * How a pipeline refusal is told to an OTLP client, as upstream's
 * {@code receiver/otlpreceiver/internal/errors} and {@code statusutil} do (spec 7.2): retryable →
 * UNAVAILABLE / 503, throttled → RESOURCE_EXHAUSTED / 429, bad data → INVALID_ARGUMENT / 400,
 * permanent → INTERNAL / 500; a known delay travels as gRPC {@code RetryInfo} and HTTP
 * {@code Retry-After}.
 */
final class OtlpErrors {
  private OtlpErrors() {}

  static Code grpcCode(RefusedException e) {
    switch (e.reason()) {
      case UNAVAILABLE:
        return Code.UNAVAILABLE;
      case RESOURCE_EXHAUSTED:
        return Code.RESOURCE_EXHAUSTED;
      case INVALID_ARGUMENT:
        return Code.INVALID_ARGUMENT;
      default:
        return Code.INTERNAL;
    }
  }

  /** The {@code google.rpc.Status} for a refusal, with RetryInfo when the refusing side gave a delay. */
  static com.google.rpc.Status status(RefusedException e) {
    com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder()
        .setCode(grpcCode(e).getNumber())
        .setMessage(e.getMessage() == null ? "" : e.getMessage());
    if (e.retryAfter().isPresent()) {
      Duration d = e.retryAfter().get();
      s.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
          .setSeconds(d.getSeconds()).setNanos(d.getNano())).build()));
    }
    return s.build();
  }

  /** gRPC code → HTTP status, as upstream's {@code GetHTTPStatusCodeFromStatus}. */
  static int httpStatus(Code code) {
    switch (code) {
      case CANCELLED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case OUT_OF_RANGE:
      case UNAVAILABLE:
      case DATA_LOSS:
        return 503;
      case RESOURCE_EXHAUSTED:
        return 429;
      case INVALID_ARGUMENT:
        return 400;
      case UNAUTHENTICATED:
        return 401;
      case PERMISSION_DENIED:
        return 403;
      case UNIMPLEMENTED:
        return 404;
      default:
        return 500;
    }
  }

  /** HTTP status → gRPC code for errors raised at the HTTP level (upstream's {@code NewStatusFromMsgAndHTTPCode}). */
  static Code grpcCodeForHttp(int status) {
    switch (status) {
      case 400:
        return Code.INVALID_ARGUMENT;
      case 401:
        return Code.UNAUTHENTICATED;
      case 403:
        return Code.PERMISSION_DENIED;
      case 404:
        return Code.UNIMPLEMENTED;
      case 429:
        return Code.RESOURCE_EXHAUSTED;
      case 502:
      case 503:
      case 504:
        return Code.UNAVAILABLE;
      default:
        return Code.UNKNOWN;
    }
  }

  /** Whole seconds for a Retry-After header, rounded up so the client never comes back early. */
  static long retryAfterSeconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Math.max(1, s);
  }
}
