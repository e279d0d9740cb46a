package dev.wharf.exporter.otlphttp;

import com.google.protobuf.Message;
import dev.wharf.component.BuildInfo;
import dev.wharf.component.Component;
import dev.wharf.component.Host;
import dev.wharf.exporter.otlp.PartialSuccess;
import dev.wharf.exporterhelper.RequestSender;
import dev.wharf.otlp.OtlpJson;
import dev.wharf.pipeline.RefusedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Sends one request over OTLP/HTTP with the JDK's HttpClient. The body is the pipeline's message
 * itself (wire-identical to the Export*ServiceRequest) in protobuf, or OTLP/JSON. Answers are
 * classified as the OTLP specification says: 2xx success (a partial_success is counted and logged),
 * 429/502/503/504 retryable honouring Retry-After, everything else permanent; connection failures
 * and timeouts are retryable.
 */
final class OtlpHttpSender<T extends Message, R extends Message> implements RequestSender<T>, Component {
  /** Upstream reads at most this much of a response body. */
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final OtlpJson STATUS_JSON = OtlpJson.of(List.of(com.google.rpc.Status.getDescriptor()));

  private final OtlpHttpExporterConfig config;
  private final URI uri;
  private final R responsePrototype;
  private final BuildInfo buildInfo;
  private HttpClient client;

  OtlpHttpSender(OtlpHttpExporterConfig config, URI uri, R responsePrototype, BuildInfo buildInfo) {
    this.config = config;
    this.uri = uri;
    this.responsePrototype = responsePrototype;
    this.buildInfo = buildInfo;
  }

  @Override
  public void start(Host host) throws Exception {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER);
    if ("https".equals(uri.getScheme())) {
      b.sslContext(config.tls().sslContext()).version(HttpClient.Version.HTTP_2);
    } else {
      b.version(HttpClient.Version.HTTP_1_1);
    }
    client = b.build();
  }

  @Override
  public void send(T data, Duration timeout) {
    byte[] body = config.json() ? OtlpJson.otlp().write(data) : data.toByteArray();
    HttpRequest.Builder req = HttpRequest.newBuilder(uri)
        .header("Content-Type", config.json() ? "application/json" : "application/x-protobuf")
        .header("User-Agent", buildInfo.userAgent());
    if (config.compression().equals("gzip")) {
      body = gzip(body);
      req.header("Content-Encoding", "gzip");
    }
    config.headers().forEach(req::setHeader);
    if (timeout != null && !timeout.isZero()) {
      req.timeout(timeout);
    }
    req.POST(HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<InputStream> resp;
    byte[] respBody;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = resp.body()) {
        respBody = in.readNBytes(MAX_RESPONSE_BYTES);
      }
    } catch (HttpTimeoutException e) {
      throw new RefusedException(RefusedException.Reason.UNAVAILABLE, "request to " + uri + " timed out", null, e);
    } catch (IOException e) {
      throw new RefusedException(RefusedException.Reason.UNAVAILABLE,
          "failed to make an HTTP request to " + uri + ": " + e, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RefusedException(RefusedException.Reason.UNAVAILABLE, "interrupted", null, e);
    }
    int status = resp.statusCode();
    boolean jsonResponse = resp.headers().firstValue("Content-Type").map(c -> c.startsWith("application/json"))
        .orElse(config.json());
    if (status >= 200 && status < 300) {
      if (respBody.length > 0) {
        R parsed;
        try {
          parsed = parse(respBody, jsonResponse);
        } catch (IOException e) {
          // Upstream ignores an undecodable success body: the data was accepted.
          return;
        }
        PartialSuccess.check(parsed);
      }
      return;
    }
    throw classify(status, resp.headers().firstValue("Retry-After").orElse(null), errorMessage(respBody, jsonResponse,
        resp.headers().firstValue("Content-Type").orElse("")));
  }

  @SuppressWarnings("unchecked")
  private R parse(byte[] body, boolean json) throws IOException {
    return json ? OtlpJson.otlp().parse(body, responsePrototype)
        : (R) responsePrototype.getParserForType().parseFrom(body);
  }

  /** Retry rules of the OTLP/HTTP specification. */
  RefusedException classify(int status, String retryAfter, String message) {
    String m = "error exporting items, request to " + uri + " responded with HTTP Status Code " + status
        + (message.isEmpty() ? "" : ", Message=" + message);
    switch (status) {
      case 429:
        return new RefusedException(RefusedException.Reason.RESOURCE_EXHAUSTED, m, retryAfter(retryAfter), null);
      case 503:
        return new RefusedException(RefusedException.Reason.UNAVAILABLE, m, retryAfter(retryAfter), null);
      case 502:
      case 504:
        return new RefusedException(RefusedException.Reason.UNAVAILABLE, m, null, null);
      case 400:
        return new RefusedException(RefusedException.Reason.INVALID_ARGUMENT, m, null, null);
      default:
        return new RefusedException(RefusedException.Reason.PERMANENT, m, null, null);
    }
  }

  /** {@code Retry-After} as delay-seconds or an HTTP-date; null when absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.trim();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException e) {
      // an HTTP-date
    }
    try {
      Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
      return d.isNegative() ? Duration.ZERO : d;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static String errorMessage(byte[] body, boolean json, String contentType) {
    if (body.length == 0) {
      return "";
    }
    try {
      if (json) {
        return STATUS_JSON.parse(body, com.google.rpc.Status.getDefaultInstance()).getMessage();
      }
      if (contentType.startsWith("application/x-protobuf")) {
        return com.google.rpc.Status.parseFrom(body).getMessage();
      }
    } catch (IOException e) {
      // fall back to the text
    }
    String text = new String(body, 0, Math.min(body.length, 1024), StandardCharsets.UTF_8).trim();
    return text.replaceAll("\\s+", " ");
  }

  private static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      gz.write(data);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  @Override
  public void shutdown(long deadlineNanos) {
    HttpClient c = client;
    if (c != null) {
      // HttpClient is AutoCloseable from Java 21 only; on 17 its threads end when it is unreachable.
      if (c instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          // nothing left to do
        }
      }
      client = null;
    }
  }
}
