package dev.wharf.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback ECS task metadata endpoint (v4) replaying captured payloads, for tests:
 * {@code GET ${V4}} (the calling container), {@code ${V4}/task}, {@code ${V4}/task/stats},
 * {@code ${V4}/stats}; anything else is 404. Put {@link #uri()} in
 * {@code ECS_CONTAINER_METADATA_URI_V4} (or use {@link #env()}).
 *
 * <pre>{@code
 * try (EcsMetadataServer ecs = EcsMetadataServer.start(containerJson, taskJson)) {
 *   Map<String, String> env = ecs.env();
 *   ecs.fail(EcsMetadataServer.Failure.HTTP_500);   // every path now answers 500
 *   ecs.fail("", EcsMetadataServer.Failure.SLOW);   // only the container document is slow
 * }
 * }</pre>
 */
public final class EcsMetadataServer implements AutoCloseable {
  /** What a path answers instead of its payload. */
  public enum Failure {
    NONE,
    /** HTTP 500 with a text body. */
    HTTP_500,
    /** The payload, after {@link Builder#slowDelay} (default 3 s; interrupted by close()). */
    SLOW,
    /** The first half of the payload, with a Content-Length matching what is sent. */
    TRUNCATED,
    /** HTTP 200 with an HTML body instead of JSON. */
    GARBAGE
  }

  /** The base path of {@link #uri()}, shaped like a real v4 endpoint. */
  public static final String BASE_PATH = "/v4/0123456789abcdef0123456789abcdef-1234567890";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, byte[]> payloads;
  private final Duration slowDelay;
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private volatile Failure failAll = Failure.NONE;
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private EcsMetadataServer(Map<String, byte[]> payloads, Duration slowDelay) throws IOException {
    this.payloads = Map.copyOf(payloads);
    this.slowDelay = slowDelay;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "ecs-metadata-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Serves {@code containerJson} at {@code ${V4}} and {@code taskJson} at {@code ${V4}/task}. */
  public static EcsMetadataServer start(Path containerJson, Path taskJson) {
    return builder().container(containerJson).task(taskJson).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The v4 base URI, e.g. {@code http://127.0.0.1:41234/v4/0123...}. */
  public URI uri() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":"
        + server.getAddress().getPort() + BASE_PATH);
  }

  /** {@code {ECS_CONTAINER_METADATA_URI_V4: uri()}}. */
  public Map<String, String> env() {
    return Map.of("ECS_CONTAINER_METADATA_URI_V4", uri().toString());
  }

  /** Every path answers with {@code failure} from now on ({@link Failure#NONE} to recover). */
  public void fail(Failure failure) {
    failAll = failure;
  }

  /** Only {@code path} ({@code ""}, {@code /task}, {@code /task/stats}, {@code /stats}) fails. */
  public void fail(String path, Failure failure) {
    failures.put(path, failure);
  }

  /**
   * The shared folder ({@code /work/shared} beside the repository, or the first {@code shared} with a
   * {@code spec} folder found walking up from the working directory).
   */
  public static Path sharedDir() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("shared/spec"))) {
        return d.resolve("shared");
      }
      if (d.getFileName() != null && d.getFileName().toString().equals("shared") && Files.isDirectory(d.resolve("spec"))) {
        return d;
      }
    }
    Path guess = dir.resolve("../../shared").normalize();
    if (Files.isDirectory(guess.resolve("spec"))) {
      return guess;
    }
    throw new IllegalStateException("no shared/ folder (with spec/) above " + dir);
  }

  /** A file of {@code shared/fixtures/ecs/}, e.g. {@code fixture("ecs_exporter/fargate_task_metadata.json")}. */
  public static Path fixture(String relative) {
    return sharedDir().resolve("fixtures/ecs").resolve(relative);
  }

  /** Requests received for {@code path} so far. */
  public int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String full = ex.getRequestURI().getPath();
      if (!full.startsWith(BASE_PATH) || !ex.getRequestMethod().equals("GET")) {
        send(ex, 404, "not found".getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      }
      String path = full.substring(BASE_PATH.length());
      if (path.equals("/")) {
        path = "";
      }
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      byte[] body = payloads.get(path);
      if (body == null) {
        send(ex, 404, "not found".getBytes(StandardCharsets.UTF_8), "text/plain");
        return;
      }
      Failure f = failAll != Failure.NONE ? failAll : failures.getOrDefault(path, Failure.NONE);
      switch (f) {
        case HTTP_500:
          send(ex, 500, "internal server error".getBytes(StandardCharsets.UTF_8), "text/plain");
          return;
        case SLOW:
          try {
            Thread.sleep(slowDelay.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          send(ex, 200, body, "application/json");
          return;
        case TRUNCATED:
          send(ex, 200, Arrays.copyOf(body, body.length / 2), "application/json");
          return;
        case GARBAGE:
          send(ex, 200, "<html><body>Bad Gateway</body></html>".getBytes(StandardCharsets.UTF_8), "text/html");
          return;
        default:
          send(ex, 200, body, "application/json");
      }
    }
  }

  private static void send(HttpExchange ex, int status, byte[] body, String type) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** Payloads by path and the delay of {@link Failure#SLOW}. */
  public static final class Builder {
    private final Map<String, byte[]> payloads = new ConcurrentHashMap<>();
    private Duration slowDelay = Duration.ofSeconds(3);

    public Builder container(Path json) {
      return payload("", read(json));
    }

    public Builder task(Path json) {
      return payload("/task", read(json));
    }

    public Builder taskStats(Path json) {
      return payload("/task/stats", read(json));
    }

    public Builder containerStats(Path json) {
      return payload("/stats", read(json));
    }

    /**
     * Serves, as the calling container's document, the element of the task's {@code Containers}
     * whose {@code Name} is {@code name} (for captures that have no separate container document).
     */
    public Builder containerFromTask(Path taskJson, String name) {
      return payload("", containerNamed(read(taskJson), name));
    }

    /** Any path below the base ({@code ""}, {@code /task}, ...) with any body. */
    public Builder payload(String path, byte[] body) {
      payloads.put(path, body.clone());
      return this;
    }

    public Builder slowDelay(Duration d) {
      slowDelay = d;
      return this;
    }

    public EcsMetadataServer start() {
      try {
        return new EcsMetadataServer(payloads, slowDelay);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static byte[] read(Path p) {
      try {
        return Files.readAllBytes(p);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The container object named {@code name} of a task document, re-serialised. */
  static byte[] containerNamed(byte[] task, String name) {
    JsonFactory f = new JsonFactory();
    try (JsonParser p = f.createParser(task)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("task document is not an object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("Containers") && t == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try (JsonGenerator g = f.createGenerator(buf)) {
              g.copyCurrentStructure(p);
            }
            byte[] c = buf.toByteArray();
            if (name.equals(topLevelName(f, c))) {
              return c;
            }
          }
          break;
        }
        p.skipChildren();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalArgumentException("no container named '" + name + "' in the task document");
  }

  private static String topLevelName(JsonFactory f, byte[] container) throws IOException {
    try (JsonParser p = f.createParser(container)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("Name")) {
          return p.getText();
        }
        p.skipChildren();
      }
    }
    return null;
  }
}
