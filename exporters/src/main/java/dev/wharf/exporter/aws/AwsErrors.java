package dev.wharf.exporter.aws;

import dev.wharf.pipeline.RefusedException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * AWS SDK failures as pipeline refusals: throttling (429 or a throttling error code) and 5xx are
 * retryable with the server's {@code Retry-After} when it gave one; any other 4xx is permanent
 * (upstream: client faults are permanent); transport failures and timeouts are retryable.
 */
public final class AwsErrors {
  private AwsErrors() {}

  public static RefusedException toRefused(String operation, SdkException e) {
    if (e instanceof AwsServiceException s) {
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String message = operation + " failed: HTTP " + status + (code == null ? "" : " " + code)
          + ": " + messageOf(s);
      Duration retryAfter = retryAfter(s).orElse(null);
      if (status == 429 || s.isThrottlingException()) {
        return new RefusedException(RefusedException.Reason.RESOURCE_EXHAUSTED, message, retryAfter, e);
      }
      if (status >= 500) {
        return new RefusedException(RefusedException.Reason.UNAVAILABLE, message, retryAfter, e);
      }
      return new RefusedException(RefusedException.Reason.PERMANENT, message, null, e);
    }
    return new RefusedException(RefusedException.Reason.UNAVAILABLE,
        operation + " failed: " + e.getMessage(), null, e);
  }

  private static String messageOf(AwsServiceException s) {
    if (s.awsErrorDetails() != null && s.awsErrorDetails().errorMessage() != null) {
      return s.awsErrorDetails().errorMessage();
    }
    return String.valueOf(s.getMessage());
  }

  /** {@code Retry-After} in seconds or as an HTTP date. */
  static Optional<Duration> retryAfter(AwsServiceException s) {
    if (s.awsErrorDetails() == null || s.awsErrorDetails().sdkHttpResponse() == null) {
      return Optional.empty();
    }
    Optional<String> h = s.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After");
    if (h.isEmpty()) {
      return Optional.empty();
    }
    String v = h.get().trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (RuntimeException notDate) {
        return Optional.empty();
      }
    }
  }
}
