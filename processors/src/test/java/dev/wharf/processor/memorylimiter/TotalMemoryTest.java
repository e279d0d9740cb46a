package dev.wharf.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TotalMemoryTest {
  private static final long MIB = 1024 * 1024;
  private static final Logger LOG = Logger.getLogger("test");

  @TempDir
  Path dir;

  private TotalMemory total(String procCgroup, Map<String, String> env) throws Exception {
    Path proc = dir.resolve("proc-self-cgroup");
    Files.writeString(proc, procCgroup);
    return new TotalMemory(proc, dir.resolve("cgroup"), env, () -> 16_000 * MIB, Duration.ofSeconds(2), LOG);
  }

  private void write(String rel, String content) throws Exception {
    Path p = dir.resolve("cgroup").resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
  }

  @Test
  void cgroupV2LimitOfOwnGroup() throws Exception {
    write("ecs/task/container/memory.max", "536870912\n");
    write("memory.max", "max\n");
    TotalMemory.Result r = total("0::/ecs/task/container\n", Map.of()).detect();
    assertThat(r.bytes()).isEqualTo(512 * MIB);
    assertThat(r.source()).isEqualTo("cgroup memory limit");
  }

  @Test
  void cgroupV2RootInsideAContainerNamespace() throws Exception {
    write("memory.max", "268435456");
    assertThat(total("0::/\n", Map.of()).detect().bytes()).isEqualTo(256 * MIB);
  }

  @Test
  void cgroupV2MaxMeansNoLimitAndFallsBackToPhysicalMemory() throws Exception {
    write("memory.max", "max\n");
    TotalMemory.Result r = total("0::/\n", Map.of()).detect();
    assertThat(r.bytes()).isEqualTo(16_000 * MIB);
    assertThat(r.source()).isEqualTo("physical memory");
  }

  @Test
  void cgroupV1LimitAndItsUnlimitedValue() throws Exception {
    write("memory/docker/abc/memory.limit_in_bytes", "1073741824\n");
    String proc = "12:cpuset:/docker/abc\n4:memory:/docker/abc\n1:name=systemd:/docker/abc\n";
    assertThat(total(proc, Map.of()).detect().bytes()).isEqualTo(1024 * MIB);

    write("memory/docker/abc/memory.limit_in_bytes", "9223372036854771712\n");
    assertThat(total(proc, Map.of()).detect().source()).isEqualTo("physical memory");
  }

  @Test
  void parseLimit() {
    assertThat(TotalMemory.parseLimit("max")).isEmpty();
    assertThat(TotalMemory.parseLimit(" 1048576\n")).hasValue(MIB);
    assertThat(TotalMemory.parseLimit("9223372036854775807")).isEmpty();
  }

  @Test
  void noLimitInTheCgroupFallsBackToTheEcsTaskLimit() throws Exception {
    write("memory.max", "max\n");
    byte[] task = Files.readAllBytes(shared().resolve("fixtures/ecs/ecs_exporter/fargate_task_metadata.json"));
    AtomicInteger hits = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v4/abc/task", ex -> {
      hits.incrementAndGet();
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(200, task.length);
      ex.getResponseBody().write(task);
      ex.close();
    });
    server.start();
    try {
      String uri = "http://127.0.0.1:" + server.getAddress().getPort() + "/v4/abc";
      TotalMemory.Result r = total("0::/\n", Map.of("ECS_CONTAINER_METADATA_URI_V4", uri)).detect();
      assertThat(r.bytes()).isEqualTo(512 * MIB); // the fixture's task Limits.Memory
      assertThat(r.source()).contains("ECS task metadata");
      assertThat(hits.get()).isEqualTo(1);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void unreachableMetadataEndpointFallsBackToPhysicalMemory() throws Exception {
    write("memory.max", "max\n");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    TotalMemory.Result r = total("0::/\n", Map.of("ECS_CONTAINER_METADATA_URI_V4",
        "http://127.0.0.1:" + port + "/v4/x")).detect();
    assertThat(r.source()).isEqualTo("physical memory");
  }

  @Test
  void taskDocumentWithoutTaskLevelLimit() throws Exception {
    // EC2 task documents may carry Limits only per container: no task limit then.
    byte[] ec2 = Files.readAllBytes(shared().resolve("fixtures/ecs/ecs_exporter/ec2_task_metadata.json"));
    OptionalLong v = TotalMemory.taskMemoryMib(dev.wharf.ecs.EcsMetadata.parseTask(ec2));
    String text = new String(ec2, StandardCharsets.UTF_8);
    boolean taskLevel = text.indexOf("\"Limits\"") < text.indexOf("\"Containers\"");
    if (taskLevel) {
      assertThat(v).isPresent();
    } else {
      assertThat(v).isEmpty();
    }
    assertThat(TotalMemory.taskMemoryMib(dev.wharf.ecs.EcsMetadata.parseTask(
        "{\"Cluster\":\"c\",\"Limits\":{\"CPU\":0.25,\"Memory\":2048}}"))).hasValue(2048);
    assertThat(TotalMemory.taskMemoryMib(dev.wharf.ecs.EcsMetadata.parseTask(
        "{\"Cluster\":\"c\",\"Limits\":{\"CPU\":0.25,\"Memory\":0}}"))).isEmpty();
  }

  static Path shared() {
    Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path q = p; q != null; q = q.getParent()) {
      if (Files.isDirectory(q.resolve("shared/spec"))) {
        return q.resolve("shared");
      }
      if (Files.isDirectory(q.resolve("../shared/spec"))) {
        return q.resolve("../shared").normalize();
      }
    }
    throw new IllegalStateException("no shared/ folder above " + p);
  }
}
