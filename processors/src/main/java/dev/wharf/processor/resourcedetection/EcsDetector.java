package dev.wharf.processor.resourcedetection;

import dev.wharf.ecs.EcsContainerMetadata;
import dev.wharf.ecs.EcsMetadata;
import dev.wharf.ecs.EcsMetadataClient;
import dev.wharf.ecs.EcsMetadataException;
import dev.wharf.ecs.EcsTaskMetadata;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code ecs} detector: the task metadata endpoint named by {@code ECS_CONTAINER_METADATA_URI_V4}
 * (else v3 {@code ECS_CONTAINER_METADATA_URI}); {@code /task}, then the collector's own container.
 * Attributes and derivations are {@link EcsMetadata#detectorAttributes} (spec/ecs.md 2).
 */
final class EcsDetector implements Detector {
  /** Schema URL of the semantic conventions these attribute names follow (merged as upstream merges it). */
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.39.0";

  static final Map<String, Boolean> DEFAULTS;

  static {
    Object[] pairs = new Object[EcsMetadata.DETECTOR_ATTRIBUTES.size() * 2];
    int i = 0;
    for (String a : EcsMetadata.DETECTOR_ATTRIBUTES) {
      pairs[i++] = a;
      pairs[i++] = Boolean.TRUE;
    }
    DEFAULTS = ResourceAttributesConfig.defaultsOf(pairs);
  }

  private final Map<String, String> env;
  private final ResourceAttributesConfig attributes;
  private final Logger log;

  EcsDetector(Map<String, String> env, ResourceAttributesConfig attributes, Logger log) {
    this.env = env;
    this.attributes = attributes;
    this.log = log;
  }

  @Override
  public String type() {
    return "ecs";
  }

  @Override
  public Detected detect(long deadlineNanos) throws DetectionException {
    Optional<URI> endpoint = EcsMetadataClient.endpointFromEnv(env);
    if (endpoint.isEmpty()) {
      log.log(Level.FINE, () -> "ecs detector: not on ECS (neither " + EcsMetadataClient.ENV_V4 + " nor "
          + EcsMetadataClient.ENV_V3 + " holds an endpoint); no attributes");
      return Detected.EMPTY;
    }
    long remaining = Math.max(1_000_000L, deadlineNanos - System.nanoTime());
    EcsMetadataClient client = new EcsMetadataClient(endpoint.get(), Duration.ofNanos(remaining));
    EcsTaskMetadata task;
    try {
      task = client.task();
    } catch (EcsMetadataException e) {
      throw new DetectionException("unable to fetch task metadata: " + e.getMessage(), e);
    }
    EcsContainerMetadata self;
    try {
      self = client.container();
    } catch (EcsMetadataException e) {
      // Upstream returns what it has together with the error; the provider then discards it.
      throw new DetectionException("unable to fetch the collector's container metadata: " + e.getMessage(), e);
    }
    return new Detected(attributes.filter(EcsMetadata.detectorAttributes(task, self)), SCHEMA_URL);
  }
}
