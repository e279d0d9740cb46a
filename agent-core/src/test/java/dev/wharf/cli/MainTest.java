package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String... args) {
    return Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void parsesBothFlagSpellingsInOrder() {
    Main.Args a = Main.parse(new String[] {"--config=/a.yaml", "--config", "env:X", "--set", "a.b=1",
        "--set=c.d=2", "--feature-gates=+x"});
    assertThat(a.command()).isEqualTo("run");
    assertThat(a.configs()).containsExactly("/a.yaml", "env:X");
    assertThat(a.sets()).containsExactly("a.b=1", "c.d=2");
    assertThat(a.gates()).containsExactly("+x");
  }

  @Test
  void featureGatesReachComponentsThroughTheirEnvironment() {
    assertThat(Main.withGates(Map.of(), List.of())).isEmpty();
    assertThat(Main.withGates(Map.of("WHARF_FEATURE_GATES", "+exporter.xray.allowDot"),
        List.of("-exporter.awsxray.skiptimestampvalidation,unknown.gate")))
        .containsEntry("WHARF_FEATURE_GATES", "+exporter.xray.allowDot,-exporter.awsxray.skiptimestampvalidation,unknown.gate");
  }

  @Test
  void unknownArgumentsAreUsageErrors() {
    assertThat(run(Map.of(), "--confg=/x")).isEqualTo(2);
    assertThat(err()).contains("unknown argument '--confg=/x'");
  }

  @Test
  void aotConfigContentReplacesEveryConfigAndSet() {
    Main.Args a = Main.parse(new String[] {"--config=/etc/otel-config.yaml", "--set=a.b=1"});
    assertThat(Main.locations(a, Map.of("AOT_CONFIG_CONTENT", "receivers: {}")))
        .containsExactly("env:AOT_CONFIG_CONTENT");
    // Present but empty still counts, as in ADOT.
    assertThat(Main.locations(a, Map.of("AOT_CONFIG_CONTENT", ""))).containsExactly("env:AOT_CONFIG_CONTENT");
    assertThat(Main.locations(a, Map.of())).containsExactly("/etc/otel-config.yaml", "yaml:a::b: 1");
  }

  @Test
  void withoutAnyConfigTheLocalDefaultIsUsed() {
    List<String> l = Main.locations(Main.parse(new String[0]), Map.of());
    assertThat(l).hasSize(1);
    assertThat(l.get(0)).startsWith("yaml:").contains("otlp").contains("debug").contains("health_check");
  }

  @Test
  void validateReportsEveryProblemAndExitsOne() throws Exception {
    Path f = dir.resolve("bad.yaml");
    Files.writeString(f, String.join("\n",
        "extensions: {health_check: {endpont: x}}",
        "exporters: {debugg: {verbosity: loud}}",
        "service:",
        "  extensions: [health_check]",
        "  pipelines: {traces: {receivers: [nope], exporters: [debug]}}"));
    assertThat(run(Map.of(), "validate", "--config=" + f)).isEqualTo(1);
    assertThat(err()).contains("invalid configuration (4 problems)")
        .contains("exporters.debugg: unknown exporter type 'debugg'")
        .contains("service.pipelines.traces.exporters[0]: exporter 'debug' is not defined under exporters")
        .contains("extensions.health_check.endpont: unknown key, did you mean 'endpoint'?")
        .contains("service.pipelines.traces.receivers[0]: receiver 'nope' is not defined under receivers");
  }

  @Test
  void validateAcceptsAValidConfigFromTheEnvironment() {
    String yaml = "extensions: {health_check: {}}\nservice: {extensions: [health_check], pipelines: {}}";
    assertThat(run(Map.of("AOT_CONFIG_CONTENT", yaml), "validate")).isEqualTo(1);
    assertThat(err()).contains("service.pipelines: at least one pipeline is required");
  }

  @Test
  void runWithAnInvalidConfigExitsOneBeforeOpeningAnything() {
    assertThat(run(Map.of(), "--config=yaml:service: {pipelines: {traces: {receivers: [x], exporters: [y]}}}"))
        .isEqualTo(1);
    assertThat(err()).contains("receiver 'x' is not defined");
  }

  @Test
  void listsComponentsAndVersion() {
    assertThat(run(Map.of(), "components")).isZero();
    assertThat(out()).contains("extensions:\n").contains("  - name: health_check\n    stability: beta\n");
    assertThat(run(Map.of(), "--version")).isZero();
    assertThat(out()).contains("wharf version ");
  }

  @Test
  void healthcheckProbeExitsLikeAdots() throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    int[] status = {200};
    s.createContext("/", ex -> {
      ex.sendResponseHeaders(status[0], -1);
      ex.close();
    });
    s.start();
    try {
      int port = s.getAddress().getPort();
      assertThat(run(Map.of(), "healthcheck", "--port", Integer.toString(port))).isZero();
      assertThat(out()).contains("STATUS: 200");
      status[0] = 503;
      assertThat(run(Map.of(), "healthcheck", "--port=" + port)).isEqualTo(1);
      assertThat(err()).contains("STATUS: 503");
    } finally {
      s.stop(0);
    }
    assertThat(run(Map.of(), "healthcheck", "--port=70000")).isEqualTo(1);
    assertThat(err()).contains("invalid port");
    assertThat(run(Map.of(), "healthcheck", "--port=" + dev.wharf.testing.FreePort.pick())).isEqualTo(1);
    assertThat(err()).contains("unable to retrieve health status");
  }
}
