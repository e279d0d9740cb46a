package dev.wharf.processor.resourcedetection;

import static dev.wharf.processor.resourcedetection.ResourceDetectionTestSupport.config;
import static dev.wharf.processor.resourcedetection.ResourceDetectionTestSupport.detectOnce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class DetectorsTest {

  static Map<String, String> plain(List<KeyValue> l) {
    Map<String, String> m = new LinkedHashMap<>();
    for (KeyValue kv : l) {
      AnyValue v = kv.getValue();
      m.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? Long.toString(v.getIntValue())
          : v.toString().trim());
    }
    return m;
  }

  // ---------------------------------------------------------------- env

  @Test
  void envDetectorPercentDecodesValues() throws Exception {
    Map<String, String> attrs = plain(detectOnce("detectors: [env]", Map.of("OTEL_RESOURCE_ATTRIBUTES",
        " service.name = my%20service , team=a%2Cb%3Dc, utf=caf%C3%A9,plus=a+b, empty= ,dup=1,dup=2,")));
    assertThat(attrs).containsExactly(
        Map.entry("service.name", "my service"),
        Map.entry("team", "a,b=c"),
        Map.entry("utf", "café"),
        Map.entry("plus", "a b"),
        Map.entry("empty", ""),
        Map.entry("dup", "2"));
  }

  @Test
  void envDetectorFallsBackToTheDeprecatedVariable() throws Exception {
    assertThat(plain(detectOnce("detectors: [env]", Map.of("OTEL_RESOURCE", "k=v")))).containsExactly(Map.entry("k", "v"));
    assertThat(detectOnce("detectors: [env]", Map.of())).isEmpty();
    assertThat(detectOnce("{}", Map.of("OTEL_RESOURCE_ATTRIBUTES", "default=env"))).hasSize(1);
  }

  @Test
  void malformedEnvSetsNothingAndWarnsAtOnce() throws Exception {
    for (String bad : List.of("novalue", "a=b,,c=d", "=v", "k=%zz", "k=%4")) {
      try (LogCapture logs = new LogCapture("wharf.processor.resourcedetection")) {
        long t0 = System.nanoTime();
        assertThat(detectOnce("detectors: [env]", Map.of("OTEL_RESOURCE_ATTRIBUTES", bad))).as(bad).isEmpty();
        // Bad input is not retried until the timeout.
        assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
        assertThat(logs.at(Level.WARNING)).as(bad).anyMatch(m -> m.contains("OTEL_RESOURCE_ATTRIBUTES: invalid"));
      }
    }
  }

  // ---------------------------------------------------------------- merging

  static List<KeyValue> merge(String yaml, Map<String, String> env, Resource in) throws Exception {
    RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
    var p = new ResourceDetectionProcessorFactory(ResourceDetectionTestSupport.FAKE_HOST).createProcessor(
        TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES, SelfTelemetry.inMemory(), env),
        config(yaml), Signal.TRACES, sink);
    p.start(new TestHost());
    p.consume(TracesData.newBuilder().addResourceSpans(ResourceSpans.newBuilder().setResource(in)).build());
    return sink.all().getResourceSpans(0).getResource().getAttributesList();
  }

  @Test
  void overrideDecidesWhoseValueWins() throws Exception {
    Map<String, String> env = Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=detected,region=eu");
    Resource in = Resource.newBuilder().addAttributes(TestData.attr("a", "1"))
        .addAttributes(TestData.attr("service.name", "sdk")).build();
    assertThat(plain(merge("detectors: [env]", env, in))).containsExactly(
        Map.entry("a", "1"), Map.entry("service.name", "detected"), Map.entry("region", "eu"));
    assertThat(plain(merge("detectors: [env]\noverride: false", env, in))).containsExactly(
        Map.entry("a", "1"), Map.entry("service.name", "sdk"), Map.entry("region", "eu"));
  }

  @Test
  void earlierDetectorsWinOnTheSameKey() throws Exception {
    Map<String, String> env = Map.of("OTEL_RESOURCE_ATTRIBUTES", "host.name=from-env,os.type=plan9");
    assertThat(plain(detectOnce("detectors: [env, system]", env)))
        .containsExactly(Map.entry("host.name", "from-env"), Map.entry("os.type", "plan9"));
    assertThat(plain(detectOnce("detectors: [system, env]", env)))
        .containsExactly(Map.entry("host.name", "ip-10-0-0-1.ec2.internal"), Map.entry("os.type", "linux"));
  }

  // ---------------------------------------------------------------- system

  @Test
  void systemDetectorHonoursHostnameSourcesAndResourceAttributes() throws Exception {
    assertThat(plain(detectOnce("detectors: [system]\nsystem: {hostname_sources: [os]}", Map.of())))
        .containsExactly(Map.entry("host.name", "ip-10-0-0-1"), Map.entry("os.type", "linux"));
    // cname fails on the fake host, so the next source answers
    assertThat(plain(detectOnce("detectors: [system]\nsystem: {hostname_sources: [cname, lookup]}", Map.of())))
        .containsEntry("host.name", "reverse.example");
    Map<String, String> all = plain(detectOnce("detectors: [system]\nsystem:\n  resource_attributes:\n"
        + "    host.arch: {enabled: true}\n    host.id: {enabled: true}\n    os.description: {enabled: true}\n"
        + "    host.ip: {enabled: true}\n    host.cpu.vendor.id: {enabled: true}\n"
        + "    host.cpu.cache.l2.size: {enabled: true}\n    os.type: {enabled: false}\n", Map.of()));
    assertThat(all).containsEntry("host.arch", "arm64").containsEntry("host.id", "0123abcd")
        .containsEntry("os.description", "Linux 6.1.0").containsEntry("host.cpu.vendor.id", "GenuineIntel")
        .containsEntry("host.cpu.cache.l2.size", "524288").containsKey("host.ip").doesNotContainKey("os.type");
    assertThat(SystemDetector.osType("Mac OS X")).isEqualTo("darwin");
    assertThat(SystemDetector.osType("Windows Server 2022")).isEqualTo("windows");
  }

  @Test
  void realHostGivesAHostName() throws Exception {
    SystemDetector d = new SystemDetector(new SystemDetector.Config(List.of("dns", "os"),
        ResourceAttributesConfig.defaults(SystemDetector.DEFAULTS)), new SystemDetector.RealHost(),
        java.util.logging.Logger.getLogger("test"));
    Map<String, String> m = plain(d.detect(System.nanoTime() + 5_000_000_000L).attributes());
    assertThat(m.get("host.name")).isNotBlank();
    assertThat(m.get("os.type")).isEqualTo(SystemDetector.osType(System.getProperty("os.name")));
  }

  // ---------------------------------------------------------------- ec2

  /** A loopback IMDS: IMDSv2 token required on every GET once issued; records the requests. */
  static final class FakeImds implements AutoCloseable {
    final HttpServer server;
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    volatile int tokenStatus = 200;

    FakeImds() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      server.createContext("/", ex -> {
        try (ex) {
          String path = ex.getRequestURI().getPath();
          String token = ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token");
          requests.add(ex.getRequestMethod() + " " + path + (token == null ? "" : " token=" + token));
          String body;
          int status = 200;
          if (ex.getRequestMethod().equals("PUT") && path.equals("/latest/api/token")) {
            status = tokenStatus;
            body = "AQAEAtoken==";
            if (!"21600".equals(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token-ttl-seconds"))) {
              status = 400;
            }
          } else if (tokenStatus == 200 && !"AQAEAtoken==".equals(token)) {
            status = 401;
            body = "";
          } else {
            switch (path) {
              case "/latest/meta-data/instance-id":
                body = "i-0123456789abcdef0";
                break;
              case "/latest/dynamic/instance-identity/document":
                body = "{\"accountId\":\"123456789012\",\"architecture\":\"x86_64\",\"availabilityZone\":\"us-west-2b\","
                    + "\"imageId\":\"ami-5fb8c835\",\"instanceId\":\"i-0123456789abcdef0\",\"instanceType\":\"m5.large\","
                    + "\"pendingTime\":\"2016-11-19T16:32:11Z\",\"privateIp\":\"10.158.112.84\",\"region\":\"us-west-2\","
                    + "\"version\":\"2017-09-30\",\"devpayProductCodes\":null,\"marketplaceProductCodes\":[\"x\"]}";
                break;
              case "/latest/meta-data/hostname":
                body = "ip-10-158-112-84.us-west-2.compute.internal";
                break;
              case "/latest/meta-data/tags/instance":
                body = "Name\nteam\nCostCenter";
                break;
              case "/latest/meta-data/tags/instance/Name":
                body = "web-1";
                break;
              case "/latest/meta-data/tags/instance/team":
                body = "payments";
                break;
              default:
                status = 404;
                body = "";
            }
          }
          byte[] b = body.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
          }
        }
      });
      server.start();
    }

    String endpoint() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void ec2DetectorUsesImdsV2() throws Exception {
    try (FakeImds imds = new FakeImds()) {
      Map<String, String> attrs = plain(detectOnce("detectors: [ec2]",
          Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())));
      assertThat(attrs).containsExactly(
          Map.entry("cloud.provider", "aws"),
          Map.entry("cloud.platform", "aws_ec2"),
          Map.entry("cloud.region", "us-west-2"),
          Map.entry("cloud.account.id", "123456789012"),
          Map.entry("cloud.availability_zone", "us-west-2b"),
          Map.entry("host.id", "i-0123456789abcdef0"),
          Map.entry("host.image.id", "ami-5fb8c835"),
          Map.entry("host.type", "m5.large"),
          Map.entry("host.name", "ip-10-158-112-84.us-west-2.compute.internal"));
      assertThat(imds.requests).containsExactly(
          "PUT /latest/api/token",
          "GET /latest/meta-data/instance-id token=AQAEAtoken==",
          "GET /latest/dynamic/instance-identity/document token=AQAEAtoken==",
          "GET /latest/meta-data/hostname token=AQAEAtoken==");
    }
  }

  @Test
  void ec2TagsFromImdsAndDisabledAttributes() throws Exception {
    try (FakeImds imds = new FakeImds()) {
      Map<String, String> attrs = plain(detectOnce("detectors: [ec2]\nec2:\n  tags: [\"^(Name|team)$\"]\n"
          + "  tags_from_imds: true\n  resource_attributes:\n    host.name: {enabled: false}\n",
          Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint() + "/")));
      assertThat(attrs).containsEntry("ec2.tag.Name", "web-1").containsEntry("ec2.tag.team", "payments")
          .doesNotContainKeys("ec2.tag.CostCenter", "host.name").containsKey("host.id");
    }
  }

  @Test
  void ec2FallsBackToImdsV1WhenTokensAreNotSupported() throws Exception {
    try (FakeImds imds = new FakeImds()) {
      imds.tokenStatus = 405;
      Map<String, String> attrs = plain(detectOnce("detectors: [ec2]",
          Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint())));
      assertThat(attrs).containsEntry("host.id", "i-0123456789abcdef0");
      assertThat(imds.requests).contains("GET /latest/meta-data/instance-id");
    }
  }

  @Test
  void notOnEc2FailsSoftWithinTheTimeout() throws Exception {
    int port = dev.wharf.testing.FreePort.pick();
    Map<String, String> env = Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + port,
        "OTEL_RESOURCE_ATTRIBUTES", "a=b");
    try (LogCapture logs = new LogCapture("wharf.processor.resourcedetection")) {
      long t0 = System.nanoTime();
      assertThat(plain(detectOnce("detectors: [ec2, env]\ntimeout: 500ms", env))).containsExactly(Map.entry("a", "b"));
      assertThat(System.nanoTime() - t0).isLessThan(2_000_000_000L);
      assertThat(logs.at(Level.INFO)).anyMatch(m -> m.contains("EC2 metadata unavailable"));
      assertThat(logs.at(Level.WARNING)).isEmpty();
    }
    try (LogCapture logs = new LogCapture("wharf.processor.resourcedetection")) {
      assertThat(plain(detectOnce("detectors: [ec2, env]\ntimeout: 300ms\nec2: {fail_on_missing_metadata: true}",
          env))).containsExactly(Map.entry("a", "b"));
      assertThat(logs.at(Level.WARNING)).anyMatch(m -> m.contains("EC2 metadata unavailable"));
    }
    assertThat(detectOnce("detectors: [ec2]", Map.of("AWS_EC2_METADATA_DISABLED", "true"))).isEmpty();
  }

  // ---------------------------------------------------------------- config

  @Test
  void configProblemsNameTheirPath() {
    ConfigProblems p = new ConfigProblems();
    config(p, "detectors: [env, ecss, gcp]\ntimeout: 0s\nrefresh_interval: -1s\noverride: maybe\n"
        + "system: {hostname_sources: [dns, dhcp]}\n"
        + "ecs: {resource_attributes: {aws.ecs.cluster: {enabled: true}, cloud.region: {enabeld: false}}}\n"
        + "ec2: {tags: [\"^Name$\"], max_attempts: 0}\ncolour: red\n");
    assertThat(p.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "processors.resourcedetection.detectors[1]: invalid detector key 'ecss', expected one of "
            + "[env, system, ecs, ec2], did you mean 'ecs'?",
        "processors.resourcedetection.detectors[2]: detector 'gcp' is not available in Wharf; supported: "
            + "[env, system, ecs, ec2]",
        "processors.resourcedetection.timeout: must be greater than 0",
        "processors.resourcedetection.refresh_interval: must not be negative, got -1s",
        "processors.resourcedetection.override: expected true or false, got 'maybe'",
        "processors.resourcedetection.system.hostname_sources[1]: invalid value 'dhcp', expected one of "
            + "[dns, os, cname, lookup]",
        "processors.resourcedetection.ecs.resource_attributes.aws.ecs.cluster: unknown attribute; this detector sets "
            + EcsDetector.DEFAULTS.keySet(),
        "processors.resourcedetection.ecs.resource_attributes.cloud.region.enabeld: unknown key, did you mean 'enabled'?",
        "processors.resourcedetection.ec2.tags: reading tags through the EC2 DescribeTags API is not available in "
            + "Wharf; set tags_from_imds: true (instance metadata tags must be enabled on the instance)",
        "processors.resourcedetection.ec2.max_attempts: must be within 1..100, got 0",
        "processors.resourcedetection.colour: unknown key");
  }

  @Test
  void presetsBindWithoutProblems() {
    ResourceDetectionConfig c = config("detectors: [env, system, ecs, ec2]");
    assertThat(c.detectors()).containsExactly("env", "system", "ecs", "ec2");
    assertThat(c.timeout()).hasSeconds(5);
    assertThat(c.override()).isTrue();
    assertThat(c.refreshInterval()).isZero();
    ResourceDetectionConfig apprunner = config("detectors: [env]\ntimeout: 2s\noverride: true");
    assertThat(apprunner.timeout()).hasSeconds(2);
    assertThatThrownBy(() -> config("detectors: [nope]")).isInstanceOf(AssertionError.class);
  }
}
