package dev.wharf.ecs;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the ECS task metadata endpoint ({@code ${ECS_CONTAINER_METADATA_URI_V4}}): {@code ""} (the
 * calling container), {@code /task}, {@code /task/stats}, {@code /stats}. Every request is bounded
 * by the timeout (connection, headers and body together) and by a maximum body size.
 */
public final class EcsMetadataClient {
  public static final String ENV_V4 = "ECS_CONTAINER_METADATA_URI_V4";
  public static final String ENV_V3 = "ECS_CONTAINER_METADATA_URI";
  /** Far above any real document (a task with 10 containers is ~20 KB). */
  static final int MAX_BODY_BYTES = 4 << 20;

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  public EcsMetadataClient(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * The endpoint of {@code ECS_CONTAINER_METADATA_URI_V4}, else of {@code ECS_CONTAINER_METADATA_URI}
   * (v3), as upstream's detector looks it up: the value is trimmed and must be an absolute
   * http(s) URI. Empty when neither is usable (not on ECS).
   */
  public static Optional<URI> endpointFromEnv(Map<String, String> env) {
    Optional<URI> v4 = v4EndpointFromEnv(env);
    return v4.isPresent() ? v4 : validEndpoint(env.get(ENV_V3));
  }

  /** The v4 endpoint only (the awsecscontainermetrics receiver accepts nothing else). */
  public static Optional<URI> v4EndpointFromEnv(Map<String, String> env) {
    return validEndpoint(env.get(ENV_V4));
  }

  static Optional<URI> validEndpoint(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      URI u = new URI(value.trim());
      if (u.getScheme() == null || u.getHost() == null
          || !(u.getScheme().equalsIgnoreCase("http") || u.getScheme().equalsIgnoreCase("https"))) {
        return Optional.empty();
      }
      return Optional.of(u);
    } catch (java.net.URISyntaxException e) {
      return Optional.empty();
    }
  }

  public URI base() {
    return base;
  }

  /** {@code GET ${V}/task}, parsed. */
  public EcsTaskMetadata task() throws EcsMetadataException {
    byte[] body = get("/task");
    try {
      return EcsMetadata.parseTask(body);
    } catch (IOException e) {
      throw new EcsMetadataException("malformed task metadata from " + uri("/task") + ": " + e.getMessage(), e);
    }
  }

  /** {@code GET ${V}} (the calling container), parsed. */
  public EcsContainerMetadata container() throws EcsMetadataException {
    byte[] body = get("");
    try {
      return EcsMetadata.parseContainer(body);
    } catch (IOException e) {
      throw new EcsMetadataException("malformed container metadata from " + uri("") + ": " + e.getMessage(), e);
    }
  }

  /** The raw body of {@code GET ${V}<path>} ({@code ""}, {@code /task}, {@code /task/stats}, {@code /stats}). */
  public byte[] get(String path) throws EcsMetadataException {
    URI uri = uri(path);
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    CompletableFuture<HttpResponse<byte[]>> f = http.sendAsync(req, info -> new BoundedBody(MAX_BODY_BYTES));
    HttpResponse<byte[]> resp;
    try {
      resp = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new EcsMetadataException("GET " + uri + " timed out after " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new EcsMetadataException("GET " + uri + " interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      String why = c instanceof java.net.http.HttpTimeoutException
          ? "timed out after " + timeout.toMillis() + " ms"
          : c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
      throw new EcsMetadataException("GET " + uri + " failed: " + why, c);
    }
    if (resp.statusCode() != 200) {
      throw new EcsMetadataException("GET " + uri + " answered HTTP " + resp.statusCode());
    }
    return resp.body();
  }

  URI uri(String path) {
    String b = base.toString();
    if (b.endsWith("/") && path.startsWith("/")) {
      b = b.substring(0, b.length() - 1);
    }
    return URI.create(b + path);
  }

  /** Collects the body, failing once it exceeds {@code limit} bytes. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(new IOException("response body larger than " + limit + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
