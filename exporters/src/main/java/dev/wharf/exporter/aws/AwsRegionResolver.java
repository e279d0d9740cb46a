package dev.wharf.exporter.aws;

import dev.wharf.ec2.ImdsClient;
import dev.wharf.ecs.EcsMetadataClient;
import dev.wharf.ecs.EcsMetadataException;
import java.io.IOException;
import java.net.URI;
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
    if (!localMode) {
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
    java.util.Optional<URI> endpoint = EcsMetadataClient.endpointFromEnv(env);
    if (endpoint.isEmpty()) {
      return null;
    }
    try {
      String arn = new EcsMetadataClient(endpoint.get(), timeout).task().taskArn();
      return regionOfArn(arn);
    } catch (EcsMetadataException | RuntimeException e) {
      return null;
    }
  }

  /** Field 3 of {@code arn:partition:service:region:account:resource}, or null. */
  static String regionOfArn(String arn) {
    String[] parts = arn.split(":", 6);
    return parts.length >= 5 && parts[0].equals("arn") && !parts[3].isEmpty() ? parts[3] : null;
  }

  String fromImds() {
    return ImdsClient.fromEnv(env, 1, Duration.ofMillis(100), System.nanoTime() + timeout.toNanos())
        .map(imds -> {
          try {
            String region = imds.get("/latest/meta-data/placement/region").trim();
            return region.isEmpty() ? null : region;
          } catch (IOException | RuntimeException e) {
            return null;
          }
        }).orElse(null);
  }
}
