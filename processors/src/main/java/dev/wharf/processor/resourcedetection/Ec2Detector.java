package dev.wharf.processor.resourcedetection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The {@code ec2} detector: the instance metadata service with IMDSv2 (PUT a session token, then
 * GET with it; IMDSv1 without a token when the token PUT is not supported), at
 * {@code AWS_EC2_METADATA_SERVICE_ENDPOINT} if set (as the AWS SDKs) else {@code http://169.254.169.254}.
 * {@code AWS_EC2_METADATA_DISABLED=true} turns it off. Not on EC2 (instance-id unreachable) → no
 * attributes and one info line, unless {@code fail_on_missing_metadata}.
 */
final class Ec2Detector implements Detector {
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.6.1";
  static final String ENV_ENDPOINT = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  static final String ENV_DISABLED = "AWS_EC2_METADATA_DISABLED";
  static final String DEFAULT_ENDPOINT = "http://169.254.169.254";
  /** Per-request ceiling, as the SDKs keep IMDS calls short so off-EC2 hosts are not held up. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
  static final String TAG_PREFIX = "ec2.tag.";

  static final Map<String, Boolean> DEFAULTS = ResourceAttributesConfig.defaultsOf(
      "cloud.provider", true, "cloud.platform", true, "cloud.region", true, "cloud.account.id", true,
      "cloud.availability_zone", true, "host.id", true, "host.image.id", true, "host.type", true,
      "host.name", true);

  /** The ec2 detector's config block. */
  record Config(
      ResourceAttributesConfig attributes,
      List<Pattern> tags,
      boolean tagsFromImds,
      int maxAttempts,
      Duration maxBackoff,
      boolean failOnMissingMetadata) {}

  private final Map<String, String> env;
  private final Config config;
  private final Logger log;

  Ec2Detector(Map<String, String> env, Config config, Logger log) {
    this.env = env;
    this.config = config;
    this.log = log;
  }

  @Override
  public String type() {
    return "ec2";
  }

  @Override
  public Detected detect(long deadlineNanos) throws DetectionException {
    if ("true".equalsIgnoreCase(trim(env.get(ENV_DISABLED)))) {
      log.fine("ec2 detector: " + ENV_DISABLED + " is true; no attributes");
      return Detected.EMPTY;
    }
    String base = trim(env.get(ENV_ENDPOINT));
    if (base.isEmpty()) {
      base = DEFAULT_ENDPOINT;
    }
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    Imds imds = new Imds(base, deadlineNanos);
    String instanceId;
    try {
      instanceId = imds.get("/latest/meta-data/instance-id");
    } catch (IOException e) {
      if (config.failOnMissingMetadata()) {
        throw new DetectionException("EC2 metadata unavailable at " + base + ": " + e.getMessage(), e);
      }
      // One line at start, so an operator sees why no host.* attributes appear (upstream: debug).
      log.info("ec2 detector: EC2 metadata unavailable at " + imds.base + " (" + e.getMessage()
          + "); not on EC2, no attributes");
      return Detected.EMPTY;
    }
    Map<String, String> doc;
    String hostname;
    try {
      doc = identityDocument(imds.get("/latest/dynamic/instance-identity/document"));
    } catch (IOException e) {
      throw new DetectionException("failed getting identity document: " + e.getMessage(), e);
    }
    try {
      hostname = imds.get("/latest/meta-data/hostname");
    } catch (IOException e) {
      throw new DetectionException("failed getting hostname: " + e.getMessage(), e);
    }
    List<KeyValue> attrs = new ArrayList<>();
    add(attrs, "cloud.provider", "aws");
    add(attrs, "cloud.platform", "aws_ec2");
    add(attrs, "cloud.region", doc.getOrDefault("region", ""));
    add(attrs, "cloud.account.id", doc.getOrDefault("accountId", ""));
    add(attrs, "cloud.availability_zone", doc.getOrDefault("availabilityZone", ""));
    add(attrs, "host.id", doc.getOrDefault("instanceId", instanceId));
    add(attrs, "host.image.id", doc.getOrDefault("imageId", ""));
    add(attrs, "host.type", doc.getOrDefault("instanceType", ""));
    add(attrs, "host.name", hostname);
    List<KeyValue> out = new ArrayList<>(config.attributes().filter(attrs));
    if (!config.tags().isEmpty()) {
      try {
        for (String key : imds.get("/latest/meta-data/tags/instance").split("\n")) {
          String k = key.trim();
          if (!k.isEmpty() && config.tags().stream().anyMatch(p -> p.matcher(k).find())) {
            add(out, TAG_PREFIX + k, imds.get("/latest/meta-data/tags/instance/" + k));
          }
        }
      } catch (IOException e) {
        throw new DetectionException("failed fetching ec2 instance tags from IMDS (instance metadata tags "
            + "must be enabled on the instance): " + e.getMessage(), e);
      }
    }
    return new Detected(out, SCHEMA_URL);
  }

  private static void add(List<KeyValue> l, String k, String v) {
    l.add(KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build());
  }

  static Map<String, String> identityDocument(String json) throws IOException {
    Map<String, String> out = new HashMap<>();
    try (JsonParser p = new JsonFactory().createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("identity document is not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_STRING) {
          out.put(name, p.getText());
        } else if (v == null) {
          throw new IOException("truncated identity document");
        } else {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new IOException("truncated identity document");
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("malformed identity document: " + e.getOriginalMessage(), e);
    }
    return out;
  }

  private static String trim(String s) {
    return s == null ? "" : s.trim();
  }

  /** One detection's IMDS session: the token is fetched once, requests retried up to max_attempts. */
  private final class Imds {
    final String base;
    final long deadlineNanos;
    final HttpClient http;
    String token;
    boolean tokenTried;

    Imds(String base, long deadlineNanos) {
      this.base = base;
      this.deadlineNanos = deadlineNanos;
      this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(requestTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    Duration requestTimeout() {
      long left = deadlineNanos - System.nanoTime();
      return Duration.ofNanos(Math.max(1_000_000L, Math.min(left, REQUEST_TIMEOUT.toNanos())));
    }

    String get(String path) throws IOException {
      IOException last = null;
      long backoff = 100;
      for (int attempt = 1; attempt <= Math.max(1, config.maxAttempts()); attempt++) {
        if (System.nanoTime() >= deadlineNanos) {
          break;
        }
        try {
          return getOnce(path);
        } catch (ImdsStatus e) {
          if (e.status < 500) {
            throw e; // 404 and friends will not change on retry
          }
          last = e;
        } catch (IOException e) {
          last = e;
          if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException) {
            break; // nothing listens there: not on EC2
          }
        }
        long sleep = Math.min(backoff, config.maxBackoff().toMillis());
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
          throw new ImdsStatus("PUT " + base + "/latest/api/token", r.statusCode());
        }
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout()).GET();
      if (token != null) {
        b.header("X-aws-ec2-metadata-token", token);
      }
      HttpResponse<String> r = send(b.build());
      if (r.statusCode() != 200) {
        throw new ImdsStatus("GET " + base + path, r.statusCode());
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
  }

  private static final class ImdsStatus extends IOException {
    private static final long serialVersionUID = 1L;
    final int status;

    ImdsStatus(String request, int status) {
      super(request + " answered HTTP " + status);
      this.status = status;
    }
  }
}
