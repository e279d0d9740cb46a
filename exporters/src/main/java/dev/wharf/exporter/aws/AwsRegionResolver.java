package dev.wharf.exporter.aws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * Finds the AWS region as upstream does, in order: config {@code region}; {@code AWS_REGION};
 * {@code AWS_DEFAULT_REGION}; the ECS task metadata ({@code TaskARN} field 3 from
 * {@code ${ECS_CONTAINER_METADATA_URI_V4}/task}, or the v3 URI); EC2 instance metadata (IMDSv2, not in
 * {@code local_mode}, not when {@code AWS_EC2_METADATA_DISABLED=true}). The environment is the
 * component's, so tests and embedders can supply their own.
 */
public final class AwsRegionResolver {
  private static final JsonFactory JSON = new JsonFactory();
  private static final String IMDS_DEFAULT = "http://169.254.169.254";

  private final Map<String, String> env;
  private final Duration timeout;

  public AwsRegionResolver(Map<String, String> env, Duration timeout) {
    this.env = env;
    this.timeout = timeout;
  }

  /** Where the region came from, for the start-up log line. */
  public record Resolved(String region, String source) {}

  /**
   * @throws IllegalStateException with a message that says what to set, when no source has a region
   */
  public Resolved resolve(String configured, boolean localMode, String configPath) {
    if (configured != null && !configured.isEmpty()) {
      return new Resolved(configured, "config " + configPath + ".region");
    }
    for (String var : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        return new Resolved(v.trim(), "environment " + var);
      }
    }
    String ecs = fromEcsTaskMetadata();
    if (ecs != null) {
      return new Resolved(ecs, "ECS task metadata");
    }
    if (!localMode && !"true".equalsIgnoreCase(env.getOrDefault("AWS_EC2_METADATA_DISABLED", ""))) {
      String imds = fromImds();
      if (imds != null) {
        return new Resolved(imds, "EC2 instance metadata");
      }
    }
    throw new IllegalStateException(configPath + ": no AWS region found: set " + configPath
        + ".region, or AWS_REGION / AWS_DEFAULT_REGION, or run on ECS (task metadata endpoint)"
        + (localMode ? "" : " or EC2 (instance metadata)"));
  }

  String fromEcsTaskMetadata() {
    String base = env.get("ECS_CONTAINER_METADATA_URI_V4");
    if (base == null || base.isBlank()) {
      base = env.get("ECS_CONTAINER_METADATA_URI");
    }
    if (base == null || base.isBlank()) {
      return null;
    }
    try {
      HttpURLConnection c = open(base.trim() + "/task", "GET", Map.of());
      if (c.getResponseCode() != 200) {
        return null;
      }
      try (InputStream in = c.getInputStream(); JsonParser p = JSON.createParser(in)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken t = p.nextToken();
          if ("TaskARN".equals(name) && t == JsonToken.VALUE_STRING) {
            return regionOfArn(p.getText());
          }
          p.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** Field 3 of {@code arn:partition:service:region:account:resource}, or null. */
  static String regionOfArn(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length >= 5 && parts[0].equals("arn") && !parts[3].isEmpty() ? parts[3] : null;
  }

  String fromImds() {
    String base = env.getOrDefault("AWS_EC2_METADATA_SERVICE_ENDPOINT", IMDS_DEFAULT);
    if (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    try {
      HttpURLConnection tokenCall = open(base + "/latest/api/token", "PUT",
          Map.of("X-aws-ec2-metadata-token-ttl-seconds", "60"));
      String token = null;
      if (tokenCall.getResponseCode() == 200) {
        token = read(tokenCall).trim();
      }
      HttpURLConnection regionCall = open(base + "/latest/meta-data/placement/region", "GET",
          token == null ? Map.of() : Map.of("X-aws-ec2-metadata-token", token));
      if (regionCall.getResponseCode() != 200) {
        return null;
      }
      String region = read(regionCall).trim();
      return region.isEmpty() ? null : region;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private HttpURLConnection open(String url, String method, Map<String, String> headers) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection(java.net.Proxy.NO_PROXY);
    c.setRequestMethod(method);
    headers.forEach(c::setRequestProperty);
    c.setConnectTimeout((int) timeout.toMillis());
    c.setReadTimeout((int) timeout.toMillis());
    if ("PUT".equals(method)) {
      c.setDoOutput(true);
      c.getOutputStream().close();
    }
    return c;
  }

  private static String read(HttpURLConnection c) throws IOException {
    try (InputStream in = c.getInputStream()) {
      byte[] b = in.readNBytes(4096);
      return new String(b, StandardCharsets.UTF_8);
    }
  }
}
