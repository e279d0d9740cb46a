package dev.wharf.ec2;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One session with the EC2 instance metadata service: IMDSv2 (PUT a session token once, then GET
 * with it), falling back to IMDSv1 when the token PUT is not supported; retries 5xx and timeouts up
 * to {@code maxAttempts} with doubling backoff, never past the deadline; a refused connection ends
 * at once (not on EC2). The endpoint is {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} if set (as the AWS
 * SDKs), else {@code http://169.254.169.254}; {@code AWS_EC2_METADATA_DISABLED=true} turns it off.
 */
public final class ImdsClient {
  public static final String ENV_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  public static final String ENV_DISABLED = "AWS_EC2_METADATA_DISABLED";
  public static final String DEFAULT_ENDPOINT = "http://169.254.169.254";
  /** Per-request ceiling: the SDKs keep IMDS calls short so hosts off EC2 are not held up. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

  private final String base;
  private final long deadlineNanos;
  private final int maxAttempts;
  private final Duration maxBackoff;
  private final HttpClient http;
  private String token;
  private boolean tokenTried;

  private ImdsClient(String base, long deadlineNanos, int maxAttempts, Duration maxBackoff) {
    this.base = base;
    this.deadlineNanos = deadlineNanos;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.maxBackoff = maxBackoff;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * A session at the endpoint the environment names; empty when {@code AWS_EC2_METADATA_DISABLED}
   * is true.
   */
  public static Optional<ImdsClient> fromEnv(Map<String, String> env, int maxAttempts, Duration maxBackoff,
      long deadlineNanos) {
    if ("true".equalsIgnoreCase(trim(env.get(ENV_DISABLED)))) {
      return Optional.empty();
    }
    String base = trim(env.get(ENV_ENDPOINT));
    if (base.isEmpty()) {
      base = DEFAULT_ENDPOINT;
    }
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return Optional.of(new ImdsClient(base, deadlineNanos, maxAttempts, maxBackoff));
  }

  public String base() {
    return base;
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }

  private Duration requestTimeout() {
    long left = deadlineNanos - System.nanoTime();
    return Duration.ofNanos(Math.max(1_000_000L, Math.min(left, REQUEST_TIMEOUT.toNanos())));
  }

  /** The body of {@code GET base+path}; {@link StatusException} for an HTTP error. */
  public String get(String path) throws IOException {
    IOException last = null;
    long backoff = 100;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      if (System.nanoTime() >= deadlineNanos) {
        break;
      }
      try {
        return getOnce(path);
      } catch (StatusException e) {
        if (e.status() < 500) {
          throw e; // 404 and friends will not change on retry
        }
        last = e;
      } catch (IOException e) {
        last = e;
        if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException) {
          break; // nothing listens there: not on EC2
        }
      }
      long sleep = Math.min(backoff, maxBackoff.toMillis());
      if (System.nanoTime() + sleep * 1_000_000L >= deadlineNanos) {
        break;
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
      backoff *= 2;
    }
    throw last != null ? last : new IOException("timed out");
  }

  private String getOnce(String path) throws IOException {
    if (!tokenTried) {
      tokenTried = true;
      HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/latest/api/token"))
          .timeout(requestTimeout())
          .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
          .PUT(HttpRequest.BodyPublishers.noBody()).build();
      HttpResponse<String> r = send(put);
      if (r.statusCode() == 200) {
        token = r.body().trim();
      } else if (r.statusCode() != 404 && r.statusCode() != 405) {
        tokenTried = false;
        throw new StatusException("PUT " + base + "/latest/api/token", r.statusCode());
      }
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout()).GET();
    if (token != null) {
      b.header("X-aws-ec2-metadata-token", token);
    }
    HttpResponse<String> r = send(b.build());
    if (r.statusCode() != 200) {
      throw new StatusException("GET " + base + path, r.statusCode());
    }
    return r.body();
  }

  private HttpResponse<String> send(HttpRequest req) throws IOException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  /** IMDS answered with an HTTP error status. */
  public static final class StatusException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    StatusException(String request, int status) {
      super(request + " answered HTTP " + status);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
