package dev.wharf.exporter.awsxray;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsXrayConfigTest {
  record Parsed(AwsXrayConfig config, List<String> problems) {}

  static Parsed parse(Map<String, Object> yaml) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode node = ConfigNode.of("exporters.awsxray", yaml, problems);
    AwsXrayConfig c = new AwsXrayExporterFactory().parseConfig(node);
    node.checkUnknownKeys();
    return new Parsed(c, problems.list().stream().map(p -> p.path() + ": " + p.message()).toList());
  }

  @Test
  void upstreamDefaults() {
    Parsed p = parse(Map.of());
    assertThat(p.problems()).isEmpty();
    AwsXrayConfig c = p.config();
    assertThat(c.numWorkers()).isEqualTo(8);
    assertThat(c.aws().requestTimeoutSeconds()).isEqualTo(30);
    assertThat(c.aws().maxRetries()).isEqualTo(2);
    assertThat(c.aws().region()).isEmpty();
    assertThat(c.aws().noVerifySsl()).isFalse();
    assertThat(c.aws().localMode()).isFalse();
    assertThat(c.indexedAttributes()).isEmpty();
    assertThat(c.indexAllAttributes()).isFalse();
    assertThat(c.awsLogGroups()).isEmpty();
    assertThat(c.telemetry().enabled()).isFalse();
    // Wharf's documented choice: queue and retry on (upstream has neither), 5 s timeout as upstream.
    assertThat(c.exporter().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.exporter().queue().enabled()).isTrue();
    assertThat(c.exporter().queue().numConsumers()).isEqualTo(8);
    assertThat(c.exporter().retry().enabled()).isTrue();
    assertThat(c).isEqualTo(AwsXrayConfig.defaults());
  }

  @Test
  void everyKeyBinds() {
    Parsed p = parse(Map.ofEntries(
        Map.entry("region", "eu-west-1"), Map.entry("endpoint", "xray.eu-west-1.amazonaws.com"),
        Map.entry("role_arn", "arn:aws:iam::123456789012:role/xray"), Map.entry("num_workers", 3),
        Map.entry("request_timeout_seconds", 10), Map.entry("max_retries", 5),
        Map.entry("proxy_address", "http://proxy:3128"), Map.entry("no_verify_ssl", true),
        Map.entry("local_mode", true), Map.entry("resource_arn", "arn:aws:ec2:eu-west-1:1:instance/i-1"),
        Map.entry("indexed_attributes", List.of("a", "b")), Map.entry("index_all_attributes", true),
        Map.entry("aws_log_groups", List.of("/g")),
        Map.entry("telemetry", Map.of("enabled", true, "include_metadata", true, "contributors", List.of("c"),
            "hostname", "h", "instance_id", "i", "resource_arn", "r")),
        Map.entry("sending_queue", Map.of("queue_size", 10)), Map.entry("timeout", "7s")));
    assertThat(p.problems()).isEmpty();
    AwsXrayConfig c = p.config();
    assertThat(c.aws().region()).isEqualTo("eu-west-1");
    assertThat(c.aws().endpoint()).isEqualTo("xray.eu-west-1.amazonaws.com");
    assertThat(c.aws().roleArn()).isEqualTo("arn:aws:iam::123456789012:role/xray");
    assertThat(c.aws().requestTimeoutSeconds()).isEqualTo(10);
    assertThat(c.aws().maxRetries()).isEqualTo(5);
    assertThat(c.aws().proxyAddress()).isEqualTo("http://proxy:3128");
    assertThat(c.aws().noVerifySsl()).isTrue();
    assertThat(c.aws().localMode()).isTrue();
    assertThat(c.numWorkers()).isEqualTo(3);
    assertThat(c.exporter().queue().numConsumers()).isEqualTo(3);
    assertThat(c.exporter().queue().queueSize()).isEqualTo(10);
    assertThat(c.exporter().timeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.resourceArn()).startsWith("arn:aws:ec2");
    assertThat(c.indexedAttributes()).containsExactly("a", "b");
    assertThat(c.indexAllAttributes()).isTrue();
    assertThat(c.awsLogGroups()).containsExactly("/g");
    assertThat(c.telemetry()).isEqualTo(new AwsXrayConfig.Telemetry(true, true, List.of("c"), "h", "i", "r"));
  }

  @Test
  void badValuesNameTheirPath() {
    Parsed p = parse(Map.of("max_retries", -1, "request_timeout_seconds", 0, "num_workers", 0,
        "endpoint", "ftp://x", "role_arn", "xray-role", "indexed_attributes", List.of("ok", Map.of()),
        "indexd_attributes", List.of("x")));
    assertThat(p.problems()).contains(
        "exporters.awsxray.max_retries: must not be negative, got -1",
        "exporters.awsxray.request_timeout_seconds: must be positive, got 0",
        "exporters.awsxray.num_workers: must be positive, got 0",
        "exporters.awsxray.indexed_attributes[1]: expected a string, got a map",
        "exporters.awsxray.indexd_attributes: unknown key, did you mean 'indexed_attributes'?");
    assertThat(p.problems()).anyMatch(s -> s.startsWith("exporters.awsxray.endpoint: expected an http or https URL"));
    assertThat(p.problems()).anyMatch(s -> s.startsWith("exporters.awsxray.role_arn: expected an IAM role ARN"));
  }

  @Test
  void featureGatesFromTheEnvironment() {
    assertThat(FeatureGates.from(Map.of())).isEqualTo(new FeatureGates(true, true));
    assertThat(FeatureGates.from(Map.of("WHARF_FEATURE_GATES",
        "-exporter.awsxray.skiptimestampvalidation, -exporter.xray.allowDot"))).isEqualTo(new FeatureGates(false, false));
    assertThat(FeatureGates.from(Map.of("WHARF_FEATURE_GATES", "+exporter.xray.allowDot,other")))
        .isEqualTo(new FeatureGates(true, true));
  }

  @Test
  void registeredWithServiceLoader() {
    assertThat(java.util.ServiceLoader.load(dev.wharf.component.ExporterFactory.class).stream()
        .map(java.util.ServiceLoader.Provider::type).map(Class::getName))
        .contains(AwsXrayExporterFactory.class.getName());
  }
}
