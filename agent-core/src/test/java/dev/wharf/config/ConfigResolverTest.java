package dev.wharf.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigResolverTest {
  @TempDir Path dir;

  private static Object at(Map<String, Object> m, String dotted) {
    Object cur = m;
    for (String k : dotted.split("\\.")) {
      cur = ((Map<?, ?>) cur).get(k);
    }
    return cur;
  }

  @Test
  void everySchemeIsRead() throws IOException {
    Path f = dir.resolve("a.yaml");
    Files.writeString(f, "receivers:\n  otlp:\n    protocols:\n      grpc:\n");
    Map<String, String> env = Map.of("CFG", "exporters:\n  debug:\n    verbosity: basic\n");
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
    http.createContext("/c.yaml", ex -> {
      byte[] b = "processors:\n  batch:\n    timeout: 1s\n".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    http.start();
    try {
      Map<String, Object> m = new ConfigResolver(env).resolve(List.of(
          f.toString(),
          "file:" + f,
          "env:CFG",
          "yaml:service::pipelines::traces::receivers: [otlp]",
          "http://127.0.0.1:" + http.getAddress().getPort() + "/c.yaml"));
      assertThat(at(m, "receivers.otlp")).isInstanceOf(Map.class);
      assertThat(at(m, "exporters.debug.verbosity")).isEqualTo("basic");
      assertThat(at(m, "service.pipelines.traces.receivers")).isEqualTo(List.of("otlp"));
      assertThat(at(m, "processors.batch.timeout")).isEqualTo("1s");
    } finally {
      http.stop(0);
    }
  }

  static Stream<Arguments> badLocations() {
    return Stream.of(
        Arguments.of("/nonexistent/wharf.yaml", "no such file"),
        Arguments.of("s3://bucket.s3.us-east-1.amazonaws.com/key", "s3 scheme is not supported"),
        Arguments.of("ftp://host/x", "unsupported scheme on URI 'ftp'"),
        Arguments.of("yaml:[1, 2]", "expected a YAML map at the top level"),
        Arguments.of("yaml:a: [1, 2", "invalid YAML"),
        Arguments.of("env:1BAD", "must match"),
        Arguments.of("yaml:a: 1\na: 2", "invalid YAML"));
  }

  @ParameterizedTest
  @MethodSource("badLocations")
  void badLocationsNameTheLocation(String location, String message) {
    assertThatThrownBy(() -> new ConfigResolver(Map.of()).resolve(List.of(location)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void laterLocationsMergeOverEarlierOnesMapsMergeListsReplace() {
    Map<String, Object> m = new ConfigResolver(Map.of()).resolve(List.of(
        "yaml:{a: {x: 1, y: 2, list: [1, 2, 3]}, b: keep}",
        "yaml:{a: {y: 20, list: [9]}, c: new}"));
    assertThat(at(m, "a.x")).isEqualTo(1);
    assertThat(at(m, "a.y")).isEqualTo(20);
    assertThat(at(m, "a.list")).isEqualTo(List.of(9));
    assertThat(m.get("b")).isEqualTo("keep");
    assertThat(m.get("c")).isEqualTo("new");
  }

  @Test
  void setBecomesANestedYamlLocation() {
    assertThat(ConfigResolver.setToLocation("processors.batch.timeout = 2s"))
        .isEqualTo("yaml:processors::batch::timeout: 2s");
    assertThat(ConfigResolver.setToLocation("a.b=x=y")).isEqualTo("yaml:a::b: x=y");
    assertThatThrownBy(() -> ConfigResolver.setToLocation("a.b"))
        .hasMessageContaining("missing equal sign");
    Map<String, Object> m = new ConfigResolver(Map.of()).resolve(List.of(
        "yaml:{processors: {batch: {timeout: 1s, send_batch_size: 50}}}",
        ConfigResolver.setToLocation("processors.batch.timeout=5s")));
    assertThat(at(m, "processors.batch.timeout")).isEqualTo("5s");
    assertThat(at(m, "processors.batch.send_batch_size")).isEqualTo(50);
  }

  static Stream<Arguments> expansions() {
    return Stream.of(
        // value, expected
        Arguments.of("${PORT}", 4317),
        Arguments.of("${env:PORT}", 4317),
        Arguments.of("0.0.0.0:${PORT}", "0.0.0.0:4317"),
        Arguments.of("${env:UNSET:-localhost:4318}", "localhost:4318"),
        Arguments.of("${env:UNSET:-}", ""),
        Arguments.of("${env:EMPTY:-fallback}", ""),
        Arguments.of("x${env:UNSET}y", "xy"),
        Arguments.of("$${PORT}", "${PORT}"),
        Arguments.of("$$${PORT}", "$4317"),
        Arguments.of("a$$b", "a$b"),
        Arguments.of("price $5", "price $5"),
        Arguments.of("${env:NESTED}", 4317),
        Arguments.of("${env:${NAME}}", 4317),
        Arguments.of("${BOOL}", true),
        Arguments.of("${TEXT}", "hello world"));
  }

  @ParameterizedTest
  @MethodSource("expansions")
  void expandsReferences(String value, Object expected) {
    Map<String, String> env = new HashMap<>();
    env.put("PORT", "4317");
    env.put("EMPTY", "");
    env.put("NESTED", "${PORT}");
    env.put("NAME", "PORT");
    env.put("BOOL", "true");
    env.put("TEXT", "hello world");
    Map<String, Object> m = new ConfigResolver(env).resolve(List.of("yaml:{}"));
    assertThat(m).isEmpty();
    Map<String, Object> in = new HashMap<>();
    in.put("k", value);
    Map<String, Object> out = new ConfigResolver(env).resolve(List.of("yaml:k: '" + value.replace("'", "''") + "'"));
    assertThat(out.get("k")).isEqualTo(expected);
  }

  @Test
  void unsetVariableWithoutDefaultIsNull() {
    Map<String, Object> m = new ConfigResolver(Map.of()).resolve(List.of("yaml:k: ${UNSET}"));
    assertThat(m).containsKey("k");
    assertThat(m.get("k")).isNull();
  }

  @Test
  void aReferenceCanRetrieveAWholeMap() {
    Map<String, Object> m = new ConfigResolver(Map.of("PROTOCOLS", "{grpc: {endpoint: 0.0.0.0:4317}}"))
        .resolve(List.of("yaml:receivers: {otlp: {protocols: '${env:PROTOCOLS}'}}"));
    assertThat(at(m, "receivers.otlp.protocols.grpc.endpoint")).isEqualTo("0.0.0.0:4317");
  }

  @Test
  void invalidVariableNameIsAnError() {
    assertThatThrownBy(() -> new ConfigResolver(Map.of()).resolve(List.of("yaml:k: '${env:1X}'")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("must match");
  }

  @Test
  void selfReferenceStopsWithAClearError() {
    assertThatThrownBy(() -> new ConfigResolver(Map.of("LOOP", "${LOOP}")).resolve(List.of("yaml:k: ${LOOP}")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("too many recursive expansions");
  }

  @Test
  void tooManyLocationsIsAnError() {
    List<String> many = java.util.Collections.nCopies(101, "yaml:{}");
    assertThatThrownBy(() -> new ConfigResolver(Map.of()).resolve(many)).hasMessageContaining("too many");
  }
}
