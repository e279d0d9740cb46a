package dev.wharf.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with a third HTTP/2 implementation: Node's built-in http2 client (nghttp2), the
 * transport of @grpc/grpc-js, whose HPACK encoder uses Huffman strings and dynamic-table references.
 * Skipped where no {@code node} is installed (the build machines have Node 20).
 */
class GrpcNodeClientTest {

  @Test
  void nodeHttp2ClientMakesUnaryCalls(@TempDir Path dir) throws Exception {
    String node = findNode();
    assumeTrue(node != null, "node is not installed");
    Path script = dir.resolve("node-grpc-client.js");
    try (InputStream in = GrpcNodeClientTest.class.getResourceAsStream("node-grpc-client.js")) {
      Files.write(script, in.readAllBytes());
    }
    ExecutorService executor = Executors.newFixedThreadPool(4);
    GrpcServer server = GrpcServer.builder()
        .bind(new InetSocketAddress("127.0.0.1", 0))
        .executor(executor)
        .maxInboundMessageSize(1024 * 1024)
        .unary("test.Echo/Echo", request -> GrpcResponse.ok(request))
        .build();
    server.start();
    try {
      ProcessBuilder pb = new ProcessBuilder(node, script.toString(), Integer.toString(server.port()))
          // to a file, not a pipe: the echoed 200 KiB message is more than a pipe holds while we wait
          .redirectErrorStream(true).redirectOutput(dir.resolve("node.out").toFile());
      Process p = pb.start();
      boolean finished = p.waitFor(30, TimeUnit.SECONDS);
      if (!finished) {
        p.destroyForcibly();
      }
      String out = Files.readString(dir.resolve("node.out"));
      assertThat(finished).as("node client finished; output:%n%s", out).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      Map<String, Map<String, String>> calls = parse(out);
      assertThat(calls).hasSize(27);

      for (String name : new String[] {"small0", "small1", "small2", "gzip", "custom-metadata"}) {
        Map<String, String> c = calls.get(name);
        assertThat(c).as(name).containsEntry("status", "200").containsEntry("contentType", "application/grpc")
            .containsEntry("grpcStatus", "0");
        assertThat(new String(Base64.getDecoder().decode(c.get("message")), StandardCharsets.UTF_8))
            .as(name).isEqualTo("hello wharf");
      }
      Map<String, String> large = calls.get("large");
      assertThat(large).containsEntry("grpcStatus", "0").containsEntry("messageLength", "204800");
      byte[] echoed = Base64.getDecoder().decode(large.get("message"));
      assertThat(echoed).hasSize(200 * 1024).containsOnly((byte) 7);

      assertThat(calls.get("unknown")).containsEntry("status", "200").containsEntry("grpcStatus", "12")
          .containsEntry("grpcMessage", "Method not found: test.Nope/Nope");
      for (int i = 0; i < 20; i++) {
        Map<String, String> c = calls.get("concurrent" + i);
        assertThat(c).as("concurrent" + i).containsEntry("grpcStatus", "0");
        assertThat(new String(Base64.getDecoder().decode(c.get("message")), StandardCharsets.UTF_8))
            .isEqualTo("c" + i);
      }
    } finally {
      server.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
      executor.shutdownNow();
    }
  }

  /** One JSON object per line, keyed by its "name"; values as strings. */
  private static Map<String, Map<String, String>> parse(String out) throws IOException {
    Map<String, Map<String, String>> calls = new LinkedHashMap<>();
    JsonFactory json = new JsonFactory();
    for (String line : out.split("\n")) {
      if (!line.startsWith("{")) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      try (JsonParser p = json.createParser(line)) {
        p.nextToken();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          p.nextToken();
          fields.put(key, p.getValueAsString());
        }
      }
      assertThat(fields).as(line).doesNotContainKeys("error", "sessionError");
      calls.put(fields.get("name"), fields);
    }
    return calls;
  }

  private static String findNode() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "node");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
