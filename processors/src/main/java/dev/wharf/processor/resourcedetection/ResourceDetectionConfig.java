package dev.wharf.processor.resourcedetection;

import dev.wharf.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code processors.resourcedetection}: {@code detectors} (ordered, default {@code [env]}; earlier
 * detectors win on the same key), {@code timeout} (5s, for the whole detection), {@code override} (true: detected values
 * replace the data's), {@code refresh_interval} (0: detect once at start), and a block per detector
 * ({@code system}, {@code ecs}, {@code ec2}) with {@code resource_attributes.<name>.enabled}.
 */
public record ResourceDetectionConfig(
    List<String> detectors,
    Duration timeout,
    boolean override,
    Duration refreshInterval,
    SystemDetector.Config system,
    ResourceAttributesConfig ecs,
    Ec2Detector.Config ec2) {

  /** Detectors Wharf implements. */
  public static final List<String> SUPPORTED = List.of("env", "system", "ecs", "ec2");
  /** Upstream detectors Wharf does not implement (named so the error can say so). */
  static final List<String> UPSTREAM_ONLY = List.of("akamai", "alibaba_ecs", "azure", "aks", "consul",
      "digitalocean", "docker", "dynatrace", "eks", "elastic_beanstalk", "gcp", "heroku", "hetzner",
      "k8snode", "kubeadm", "lambda", "openshift", "openstack_nova", "oraclecloud", "scaleway",
      "upcloud", "vultr");

  public static ResourceDetectionConfig parse(ConfigNode node) {
    List<String> detectors = node.stringList("detectors", List.of("env"));
    List<String> valid = new ArrayList<>();
    for (int i = 0; i < detectors.size(); i++) {
      String d = detectors.get(i);
      if (SUPPORTED.contains(d)) {
        valid.add(d);
      } else if (UPSTREAM_ONLY.contains(d)) {
        node.problems().add(node.pathOf("detectors") + "[" + i + "]",
            "detector '" + d + "' is not available in Wharf; supported: " + SUPPORTED);
      } else {
        node.problems().add(node.pathOf("detectors") + "[" + i + "]",
            "invalid detector key '" + d + "', expected one of " + SUPPORTED + ConfigNode.suggestion(d, SUPPORTED));
      }
    }
    Duration timeout = node.nonNegativeDuration("timeout", Duration.ofSeconds(5));
    if (timeout.isZero()) {
      node.problem("timeout", "must be greater than 0");
      timeout = Duration.ofSeconds(5);
    }
    boolean override = node.bool("override", true);
    Duration refresh = node.nonNegativeDuration("refresh_interval", Duration.ZERO);

    ConfigNode sys = node.child("system");
    List<String> sources = sys.stringList("hostname_sources", List.of("dns", "os"));
    for (int i = 0; i < sources.size(); i++) {
      if (!SystemDetector.HOSTNAME_SOURCES.contains(sources.get(i))) {
        sys.problems().add(sys.pathOf("hostname_sources") + "[" + i + "]", "invalid value '" + sources.get(i)
            + "', expected one of " + SystemDetector.HOSTNAME_SOURCES);
      }
    }
    if (sources.isEmpty()) {
      sources = List.of("dns", "os");
    }
    SystemDetector.Config system = new SystemDetector.Config(
        sources, ResourceAttributesConfig.parse(sys, SystemDetector.DEFAULTS));

    ResourceAttributesConfig ecs = ResourceAttributesConfig.parse(node.child("ecs"), EcsDetector.DEFAULTS);

    ConfigNode e = node.child("ec2");
    List<String> tagTexts = e.stringList("tags", List.of());
    List<Pattern> tags = new ArrayList<>();
    for (int i = 0; i < tagTexts.size(); i++) {
      try {
        tags.add(Pattern.compile(tagTexts.get(i)));
      } catch (PatternSyntaxException ex) {
        e.problems().add(e.pathOf("tags") + "[" + i + "]", "invalid regular expression: " + ex.getDescription());
      }
    }
    boolean tagsFromImds = e.bool("tags_from_imds", false);
    if (!tags.isEmpty() && !tagsFromImds) {
      e.problem("tags", "reading tags through the EC2 DescribeTags API is not available in Wharf; "
          + "set tags_from_imds: true (instance metadata tags must be enabled on the instance)");
    }
    int maxAttempts = e.intValue("max_attempts", 3, 1, 100);
    Duration maxBackoff = e.nonNegativeDuration("max_backoff", Duration.ofSeconds(20));
    boolean failOnMissing = e.bool("fail_on_missing_metadata", false);
    Ec2Detector.Config ec2 = new Ec2Detector.Config(ResourceAttributesConfig.parse(e, Ec2Detector.DEFAULTS),
        tags, tagsFromImds, maxAttempts, maxBackoff, failOnMissing);

    return new ResourceDetectionConfig(valid, timeout, override, refresh, system, ecs, ec2);
  }
}
