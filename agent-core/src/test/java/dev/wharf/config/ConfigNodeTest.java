package dev.wharf.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigNodeTest {

  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("200ms", Duration.ofMillis(200)),
        Arguments.of("1s", Duration.ofSeconds(1)),
        Arguments.of("5m", Duration.ofMinutes(5)),
        Arguments.of("1h30m", Duration.ofMinutes(90)),
        Arguments.of("1.5s", Duration.ofMillis(1500)),
        Arguments.of("300us", Duration.ofNanos(300_000)),
        Arguments.of("0", Duration.ZERO));
  }

  @ParameterizedTest
  @MethodSource("durations")
  void parsesGoDurations(String text, Duration expected) {
    assertThat(GoDuration.parse(text)).isEqualTo(expected);
  }

  @Test
  void formatsGoDurations() {
    assertThat(GoDuration.format(Duration.ofMillis(200))).isEqualTo("200ms");
    assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(GoDuration.format(Duration.ofMinutes(5))).isEqualTo("5m0s");
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of("timeout", "5"), "timeout", "expected a duration such as 200ms"),
        Arguments.of(Map.of("timeout", "fast"), "timeout", "expected a duration"),
        Arguments.of(Map.of("timeout", 5), "timeout", "expected a duration"),
        Arguments.of(Map.of("endpoint", "localhost"), "endpoint", "expected host:port"),
        Arguments.of(Map.of("endpoint", "localhost:99999"), "endpoint", "within 0..65535"),
        Arguments.of(Map.of("endpoint", "::1:4317"), "endpoint", "IPv6"),
        Arguments.of(Map.of("size", "big"), "size", "expected an integer"),
        Arguments.of(Map.of("enabled", "yes please"), "enabled", "expected true or false"),
        Arguments.of(Map.of("list", "a"), "list", "expected a list"),
        Arguments.of(Map.of("child", 3), "child", "expected a map"),
        Arguments.of(Map.of("mode", "fats"), "mode", "did you mean 'fast'?"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void badValuesAreReportedWithTheirPath(Map<String, Object> map, String key, String message) {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("exporters.x", map, problems);
    n.duration("timeout", Duration.ofSeconds(5));
    n.endpoint("endpoint", null);
    n.intValue("size", 1);
    n.bool("enabled", true);
    n.stringList("list", List.of());
    n.child("child");
    n.oneOf("mode", "fast", List.of("fast", "slow"));
    assertThat(problems.list()).hasSize(1);
    assertThat(problems.list().get(0).path()).isEqualTo("exporters.x." + key);
    assertThat(problems.list().get(0).message()).contains(message);
  }

  @Test
  void unknownKeysAreReportedWithASuggestionAtEveryDepth() {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("receivers.otlp", Map.of(
        "protocols", Map.of("grpc", Map.of("endpont", "x:1")),
        "extra", 1), problems);
    ConfigNode protocols = n.child("protocols");
    protocols.child("grpc").endpoint("endpoint", null);
    protocols.child("http");
    n.checkUnknownKeys();
    assertThat(problems.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "receivers.otlp.extra: unknown key",
        "receivers.otlp.protocols.grpc.endpont: unknown key, did you mean 'endpoint'?");
  }

  @Test
  void nullValueMeansDefault() {
    ConfigProblems problems = new ConfigProblems();
    java.util.HashMap<String, Object> m = new java.util.HashMap<>();
    m.put("timeout", null);
    ConfigNode n = ConfigNode.of("x", m, problems);
    assertThat(n.duration("timeout", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(problems.isEmpty()).isTrue();
  }

  @Test
  void listsOfMapsAreIndexedInPaths() {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("processors.resource", Map.of("attributes",
        List.of(Map.of("key", "a", "action", "insert"), Map.of("key", "b", "acton", "delete"), "oops")), problems);
    for (ConfigNode a : n.nodeList("attributes")) {
      a.string("key", null);
      a.string("action", null);
    }
    n.checkUnknownKeys();
    assertThat(problems.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "processors.resource.attributes[2]: expected a map, got 'oops'",
        "processors.resource.attributes[1].acton: unknown key, did you mean 'action'?");
  }
}
