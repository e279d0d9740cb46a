package dev.wharf.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testing.EcsMetadataServer;
import dev.wharf.testing.EcsMetadataServer.Failure;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EcsMetadataClientTest {
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  @Test
  void fetchesEveryPathOfTheReplayedCapture() throws Exception {
    try (EcsMetadataServer ecs = EcsMetadataServer.builder()
        .task(EcsMetadataServer.fixture("contrib_ecsutil/task_metadata.json"))
        .container(EcsMetadataServer.fixture("contrib_ecsutil/container_metadata.json"))
        .taskStats(EcsMetadataServer.fixture("contrib_ecsutil/task_stats.json"))
        .containerStats(EcsMetadataServer.fixture("aws_docs/ec2_container_stats_bridge.json"))
        .start()) {
      EcsMetadataClient client = new EcsMetadataClient(ecs.uri(), TIMEOUT);
      assertThat(client.task().cluster()).isEqualTo("test200");
      assertThat(client.container().dockerId()).isEqualTo("325c979aea914acd93be2fdd2429e1d9-3811061257");
      assertThat(client.get("/task/stats"))
          .isEqualTo(Files.readAllBytes(EcsMetadataServer.fixture("contrib_ecsutil/task_stats.json")));
      assertThat(client.get("/stats"))
          .isEqualTo(Files.readAllBytes(EcsMetadataServer.fixture("aws_docs/ec2_container_stats_bridge.json")));
      assertThat(ecs.requests("/task")).isEqualTo(1);
      assertThat(ecs.requests("")).isEqualTo(1);
    }
  }

  @Test
  void failuresBecomeClearExceptionsWithinTheTimeout() throws Exception {
    try (EcsMetadataServer ecs = EcsMetadataServer.builder()
        .task(EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json"))
        .containerFromTask(EcsMetadataServer.fixture("ecs_exporter/fargate_task_metadata.json"), "prometheus")
        .slowDelay(Duration.ofSeconds(5))
        .start()) {
      EcsMetadataClient client = new EcsMetadataClient(ecs.uri(), TIMEOUT);
      assertThat(client.container().name()).isEqualTo("prometheus");

      ecs.fail(Failure.HTTP_500);
      assertThatThrownBy(client::task).isInstanceOf(EcsMetadataException.class)
          .hasMessageContaining("/task answered HTTP 500");

      ecs.fail(Failure.TRUNCATED);
      assertThatThrownBy(client::task).isInstanceOf(EcsMetadataException.class)
          .hasMessageContaining("malformed task metadata");

      ecs.fail(Failure.GARBAGE);
      assertThatThrownBy(client::container).isInstanceOf(EcsMetadataException.class)
          .hasMessageContaining("malformed container metadata");

      ecs.fail(Failure.SLOW);
      long t0 = System.nanoTime();
      assertThatThrownBy(client::task).isInstanceOf(EcsMetadataException.class).hasMessageContaining("timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));

      ecs.fail(Failure.NONE);
      ecs.fail("", Failure.HTTP_500);
      assertThat(client.task().family()).isEqualTo("prom-ecs-exporter-sandbox-main-fargate");
      assertThatThrownBy(client::container).hasMessageContaining("HTTP 500");
      assertThatThrownBy(() -> client.get("/nope")).hasMessageContaining("HTTP 404");
    }
  }

  @Test
  void unreachableEndpointFails() {
    int port = dev.wharf.testing.FreePort.pick();
    EcsMetadataClient client = new EcsMetadataClient(URI.create("http://127.0.0.1:" + port + "/v4/x"), TIMEOUT);
    assertThatThrownBy(client::task).isInstanceOf(EcsMetadataException.class).hasMessageContaining("failed");
  }

  @Test
  void endpointDiscoveryPrefersV4ThenV3() {
    assertThat(EcsMetadataClient.endpointFromEnv(Map.of())).isEmpty();
    assertThat(EcsMetadataClient.endpointFromEnv(Map.of("ECS_CONTAINER_METADATA_URI_V4", "  "))).isEmpty();
    assertThat(EcsMetadataClient.endpointFromEnv(Map.of(
        "ECS_CONTAINER_METADATA_URI_V4", " http://169.254.170.2/v4/abc ",
        "ECS_CONTAINER_METADATA_URI", "http://169.254.170.2/v3/abc")))
        .contains(URI.create("http://169.254.170.2/v4/abc"));
    assertThat(EcsMetadataClient.endpointFromEnv(Map.of(
        "ECS_CONTAINER_METADATA_URI_V4", "not a uri",
        "ECS_CONTAINER_METADATA_URI", "http://169.254.170.2/v3/abc")))
        .contains(URI.create("http://169.254.170.2/v3/abc"));
    assertThat(EcsMetadataClient.v4EndpointFromEnv(Map.of(
        "ECS_CONTAINER_METADATA_URI", "http://169.254.170.2/v3/abc"))).isEmpty();
    assertThat(new EcsMetadataClient(URI.create("http://h/v4/x/"), TIMEOUT).uri("/task"))
        .isEqualTo(URI.create("http://h/v4/x/task"));
  }
}
