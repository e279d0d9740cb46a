package dev.wharf.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigResolver;
import dev.wharf.testing.TestComponents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceConfigTest {
  private final TestComponents test = new TestComponents();

  private ServiceConfig bind(String yaml, Map<String, String> env) {
    Map<String, Object> raw = new ConfigResolver(env).resolve(List.of("yaml:" + yaml));
    return ServiceConfig.bind(raw, test.components(), env, true);
  }

  private static final String VALID = String.join("\n",
      "receivers: {testrcv: {}, testrcv/2: {tag: two}}",
      "processors: {testproc: {delay: 1s}}",
      "exporters: {testexp: {}, tracesonly: {}}",
      "service:",
      "  pipelines:",
      "    traces: {receivers: [testrcv, testrcv/2], processors: [testproc], exporters: [testexp, tracesonly]}",
      "    metrics/app: {receivers: [testrcv], exporters: [testexp]}");

  @Test
  void validConfigBinds() {
    ServiceConfig c = bind(VALID, Map.of());
    assertThat(c.pipelines()).hasSize(2);
    assertThat(c.pipelines().keySet()).extracting(Object::toString).containsExactly("traces", "metrics/app");
    assertThat(c.configOf(dev.wharf.component.ComponentKind.PROCESSOR, "testproc"))
        .isEqualTo(new TestComponents.TestConfig("", Duration.ofSeconds(1)));
    assertThat(c.telemetry().metricsAddress()).isNull();
    assertThat(c.shutdown().delay()).isZero();
    assertThat(c.shutdown().timeout()).isEqualTo(Duration.ofSeconds(25));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("receivers: {testrcv: {tga: x}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "receivers.testrcv.tga: unknown key, did you mean 'tag'?"),
        Arguments.of("receivers: {testrcv: {}}\nprocessors: {testproc: {delay: 5}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], processors: [testproc], exporters: [testexp]}}}",
            "processors.testproc.delay: expected a duration such as 200ms, 1s, 5m or 1h30m, got 5"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], exporters: [testexpp]}}}",
            "service.pipelines.traces.exporters[0]: exporter 'testexpp' is not defined under exporters, did you mean 'testexp'?"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {tracesonly: {}}\n"
            + "service: {pipelines: {logs: {receivers: [testrcv], exporters: [tracesonly]}}}",
            "service.pipelines.logs.exporters[0]: exporter 'tracesonly' does not support logs (it supports: traces)"),
        Arguments.of("receivers: {otlpp: {}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "receivers.otlpp: unknown receiver type 'otlpp'"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {trace: {receivers: [testrcv], exporters: [testexp]}}}",
            "service.pipelines.trace: unknown pipeline type 'trace', expected traces, metrics or logs, did you mean 'traces'?"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv]}}}",
            "service.pipelines.traces.exporters: must list at least one exporter"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {extensions: [health_check], pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "service.extensions[0]: extension 'health_check' is not defined under extensions"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {telemetry: {logs: {level: loud}}, pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "service.telemetry.logs.level: expected one of [debug, info, warn, error], got 'loud'"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
            + "service: {telemetry: {metrics: {address: nowhere}}, pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "service.telemetry.metrics.address: expected host:port such as localhost:4317, got 'nowhere'"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\nconnectors: {x: {}}\n"
            + "service: {pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}",
            "connectors: connectors are not supported by Wharf yet"),
        Arguments.of("receivers: {testrcv: {}}\nexporters: {testexp: {}}\n",
            "service: is required"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void eachProblemNamesItsPath(String yaml, String expected) {
    assertThatThrownBy(() -> bind(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(Object::toString)
            .anySatisfy(p -> assertThat(p).startsWith(expected)));
  }

  @Test
  void allProblemsAreReportedTogether() {
    String yaml = String.join("\n",
        "receivers: {testrcv: {tga: x}}",
        "processors: {testproc: {delay: soon}}",
        "exporters: {testexp: {}}",
        "service:",
        "  pipelines:",
        "    traces: {receivers: [testrcv, nope], processors: [testproc], exporters: [testexp]}",
        "    logs: {receivers: [testrcv], exporters: [missing]}");
    assertThatThrownBy(() -> bind(yaml, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(4))
        .hasMessageStartingWith("invalid configuration (4 problems):");
  }

  @Test
  void shutdownSettingsComeFromConfigOrEnv() {
    String base = VALID.replace("service:", "service:\n  shutdown: {delay: 3s}");
    ServiceConfig c = bind(base, Map.of("WHARF_SHUTDOWN_TIMEOUT", "10s", "WHARF_SHUTDOWN_DELAY", "1s"));
    assertThat(c.shutdown().delay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.shutdown().timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThatThrownBy(() -> bind(VALID, Map.of("WHARF_SHUTDOWN_DELAY", "later")))
        .hasMessageContaining("env WHARF_SHUTDOWN_DELAY: expected a duration");
  }

  @Test
  void logLevelEnvOverridesConfig() {
    ServiceConfig c = bind(VALID.replace("service:", "service:\n  telemetry: {logs: {level: warn}}"),
        Map.of("WHARF_LOG_LEVEL", "debug"));
    assertThat(c.telemetry().logLevel()).isEqualTo("debug");
  }

  @Test
  void commandLineServiceServesSelfMetricsOn8888ByDefault() {
    Map<String, Object> raw = new ConfigResolver(Map.of()).resolve(List.of("yaml:" + VALID));
    ServiceConfig c = ServiceConfig.bind(raw, test.components(), Map.of(), false);
    assertThat(c.telemetry().metricsAddress()).hasToString(":8888");
  }
}
