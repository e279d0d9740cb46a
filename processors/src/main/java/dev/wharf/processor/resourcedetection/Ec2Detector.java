package dev.wharf.processor.resourcedetection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import dev.wharf.ec2.ImdsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The {@code ec2} detector: reads the instance metadata service through {@link ImdsClient}
 * (IMDSv2, endpoint and opt-out from the environment as the AWS SDKs). Not on EC2 (instance-id unreachable) → no
 * attributes and one info line, unless {@code fail_on_missing_metadata}.
 */
final class Ec2Detector implements Detector {
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.6.1";
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
    java.util.Optional<ImdsClient> session =
        ImdsClient.fromEnv(env, config.maxAttempts(), config.maxBackoff(), deadlineNanos);
    if (session.isEmpty()) {
      log.fine("ec2 detector: " + ImdsClient.ENV_DISABLED + " is true; no attributes");
      return Detected.EMPTY;
    }
    ImdsClient imds = session.get();
    String base = imds.base();
    String instanceId;
    try {
      instanceId = imds.get("/latest/meta-data/instance-id");
    } catch (IOException e) {
      if (config.failOnMissingMetadata()) {
        throw new DetectionException("EC2 metadata unavailable at " + base + ": " + e.getMessage(), e);
      }
      // One line at start, so an operator sees why no host.* attributes appear (upstream: debug).
      log.info("ec2 detector: EC2 metadata unavailable at " + base + " (" + e.getMessage()
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

}
