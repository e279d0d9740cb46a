package dev.wharf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testing.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the distribution jar as a process, the way the image does. */
class WharfProcessIT {
  @TempDir Path dir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  private static Path jar() {
    return Path.of(System.getProperty("wharf.jar", "target/wharf.jar"));
  }

  private Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar", jar().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("AOT_CONFIG_CONTENT");
    process = pb.start();
    return process;
  }

  @AfterEach
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  private HttpResponse<String> get(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private int awaitHealth(String url, int wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(url);
      last = r == null ? -1 : r.statusCode();
      if (last == wanted) {
        return last;
      }
      Thread.sleep(25);
    }
    return last;
  }

  @Test
  void startsServesHealthAndMetricsAndStopsGracefullyOnSigterm() throws Exception {
    int health = FreePort.pick();
    int metrics = FreePort.pick();
    int grpc = FreePort.pick();
    int otlpHttp = FreePort.pick();
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, String.join("\n",
        "extensions:",
        "  health_check:",
        "    endpoint: 127.0.0.1:" + health,
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: '127.0.0.1:" + grpc + "'}",
        "      http: {endpoint: '127.0.0.1:${env:OTLP_HTTP_PORT}'}",
        "processors:",
        "  batch: {timeout: 50ms}",
        "exporters:",
        "  debug: {verbosity: normal}",
        "service:",
        "  extensions: [health_check]",
        "  shutdown: {delay: 2s}",
        "  telemetry:",
        "    metrics: {address: '127.0.0.1:" + metrics + "'}",
        "  pipelines:",
        "    traces: {receivers: [otlp], processors: [batch], exporters: [debug]}"));
    Path log = dir.resolve("wharf.log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-jar", jar().toString(),
        "--config=" + config));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("AOT_CONFIG_CONTENT");
    pb.environment().put("OTLP_HTTP_PORT", Integer.toString(otlpHttp));
    process = pb.start();

    String healthUrl = "http://127.0.0.1:" + health + "/";
    assertThat(awaitHealth(healthUrl, 200, Duration.ofSeconds(60)))
        .as("health, log:\n%s", Files.readString(log)).isEqualTo(200);

    String span = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"it\"}}]},"
        + "\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
        + "\"name\":\"process-it-span\",\"kind\":2,\"startTimeUnixNano\":\"1544712660000000000\",\"endTimeUnixNano\":\"1544712661000000000\"}]}]}]}";
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpHttp + "/v1/traces"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(span)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).isEqualTo(200);

    HttpResponse<String> m = get("http://127.0.0.1:" + metrics + "/metrics");
    assertThat(m.statusCode()).isEqualTo(200);
    assertThat(m.body()).contains("otelcol_process_uptime").contains("otelcol_process_memory_rss")
        .containsPattern("otelcol_receiver_accepted_spans_total\\{.*receiver=\"otlp\".*transport=\"http\".*\\} 1\\.0");

    process.destroy(); // SIGTERM
    assertThat(awaitHealth(healthUrl, 503, Duration.ofSeconds(2))).isEqualTo(503);
    assertThat(process.isAlive()).as("still draining during the shutdown delay").isTrue();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("exit code, log:\n%s", out).isZero();
    assertThat(out).contains("Received SIGTERM").contains("process-it-span").contains("Shutdown complete.");
  }

  @Test
  void anInvalidConfigExitsOneListingEveryProblem() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(config, "receivers: {otlp: {protocols: {grpc: {endpoint: nowhere}}}}\n"
        + "exporters: {debug: {verbosity: loud}}\n"
        + "service: {pipelines: {traces: {receivers: [otlp], exporters: [debug]}}}\n");
    Path log = dir.resolve("bad.log");
    Process p = start(log, "--config=" + config);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isEqualTo(1);
    assertThat(out).contains("invalid configuration (2 problems)")
        .contains("receivers.otlp.protocols.grpc.endpoint: expected host:port")
        .contains("exporters.debug.verbosity: expected one of [basic, normal, detailed], got 'loud'");
  }

  @Test
  void listsEveryComponentOfTheDistribution() throws Exception {
    Path log = dir.resolve("components.log");
    Process p = start(log, "components");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).isZero();
    assertThat(out).contains("- name: otlp").contains("- name: batch").contains("- name: debug")
        .contains("- name: health_check");
  }

  @Test
  void theBuiltInLocalDefaultIsValidInTheDistribution() throws Exception {
    Path log = dir.resolve("validate.log");
    Process p = start(log, "validate");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("configuration is valid: 3 pipelines");
  }
}
