package dev.wharf.receiver.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.Code;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.wharf.otlp.OtlpJson;
import dev.wharf.otlp.OtlpJsonException;
import dev.wharf.otlp.TlsFiles;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.telemetry.Counter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.logging.Level;
import javax.net.ssl.SSLContext;

/**
 * The OTLP/HTTP server on the JDK's built-in HTTP server (no extra dependency), with a bounded
 * worker pool. Handles {@code POST} of binary protobuf or OTLP/JSON, optionally gzip/zlib/deflate
 * encoded, to the configured signal paths, as upstream's {@code otlpreceiver} HTTP handlers do
 * (spec 7.1): 404 unknown path, 405 other methods, 415 other media types, 400 undecodable input,
 * 413 bodies over {@code max_request_body_size} after decoding, pipeline refusals as 503/429/400/500.
 */
final class OtlpHttpServer {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private static final OtlpJson STATUS_JSON = OtlpJson.of(List.of(com.google.rpc.Status.getDescriptor()));

  private final OtlpReceiverConfig.Http config;
  private final Map<String, Route<?, ?>> routes = new HashMap<>();
  private final Function<String, Counter> failedRequests;
  private final LogLimiter log;
  private final ExecutorService executor;
  private final Cors cors;
  private HttpServer server;
  /** Exchanges being handled; shutdown waits for them (HttpServer.stop on Java 17 always waits its full delay). */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

  /** One signal path: its pipeline entry and the (empty) success response. */
  record Route<T extends Message, R extends Message>(String path, T prototype, R response, Ingest<T> ingest) {}

  OtlpHttpServer(OtlpReceiverConfig.Http config, List<Route<?, ?>> routes,
      Function<String, Counter> failedRequests, LogLimiter log, ExecutorService executor) {
    this.config = config;
    for (Route<?, ?> r : routes) {
      this.routes.put(r.path(), r);
    }
    this.failedRequests = failedRequests;
    this.log = log;
    this.executor = executor;
    this.cors = config.cors() == null ? null : new Cors(config.cors());
  }

  void start() throws IOException {
    InetSocketAddress address = config.endpoint().bindAddress();
    HttpServer s;
    try {
      if (config.tls() != null) {
        OtlpReceiverConfig.Tls tls = config.tls();
        SSLContext ctx = TlsFiles.context(
            TlsFiles.keyManagers(Path.of(tls.certFile()), Path.of(tls.keyFile())),
            tls.clientCaFile() == null ? null : TlsFiles.trustManagers(Path.of(tls.clientCaFile())));
        HttpsServer https = HttpsServer.create(address, 0);
        boolean needClientAuth = tls.clientCaFile() != null;
        https.setHttpsConfigurator(new HttpsConfigurator(ctx) {
          @Override
          public void configure(HttpsParameters params) {
            javax.net.ssl.SSLParameters p = ctx.getDefaultSSLParameters();
            p.setNeedClientAuth(needClientAuth);
            params.setSSLParameters(p);
          }
        });
        s = https;
      } else {
        s = HttpServer.create(address, 0);
      }
    } catch (java.net.SocketException e) {
      throw new IOException("cannot listen for OTLP/HTTP on " + config.endpoint()
          + " (protocols.http.endpoint): " + e.getMessage(), e);
    }
    s.createContext("/", this::handle);
    s.setExecutor(executor);
    s.start();
    server = s;
  }

  int port() {
    return server.getAddress().getPort();
  }

  void shutdown(long deadlineNanos) {
    HttpServer s = server;
    if (s == null) {
      return;
    }
    server = null;
    // Let requests in progress finish (they are already in the pipeline or about to be), then stop.
    while (inFlight.get() > 0 && System.nanoTime() < deadlineNanos) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    s.stop(0);
  }

  private void handle(HttpExchange ex) {
    inFlight.incrementAndGet();
    try (ex) {
      Headers out = ex.getResponseHeaders();
      config.responseHeaders().forEach(out::set);
      String origin = ex.getRequestHeaders().getFirst("Origin");
      if (cors != null && origin != null) {
        if (ex.getRequestMethod().equals("OPTIONS")
            && ex.getRequestHeaders().getFirst("Access-Control-Request-Method") != null) {
          preflight(ex, origin);
          return;
        }
        out.add("Vary", "Origin");
        if (cors.originAllowed(origin)) {
          out.set("Access-Control-Allow-Origin", cors.allowOriginValue(origin));
        }
      }
      Route<?, ?> route = routes.get(ex.getRequestURI().getPath());
      if (route == null) {
        plain(ex, 404, "404 page not found");
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        out.set("Allow", "POST");
        plain(ex, 405, "405 method not allowed, supported: [POST]");
        return;
      }
      String mediaType = mediaType(ex.getRequestHeaders().getFirst("Content-Type"));
      boolean json;
      if (PROTOBUF.equals(mediaType)) {
        json = false;
      } else if (JSON.equals(mediaType)) {
        json = true;
      } else {
        plain(ex, 415, "415 unsupported media type, supported: [" + JSON + ", " + PROTOBUF + "]");
        return;
      }
      serve(ex, route, json);
    } catch (IOException e) {
      // The client went away while we read or answered; nothing to tell it.
      failedRequests.apply("io_error").increment();
      log.log(Level.FINE, () -> "OTLP/HTTP exchange failed: " + e);
    } catch (RuntimeException e) {
      failedRequests.apply("internal_error").increment();
      log.log(Level.SEVERE, () -> "OTLP/HTTP handler failed: " + e);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private <T extends Message, R extends Message> void serve(HttpExchange ex, Route<T, R> route, boolean json)
      throws IOException {
    String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
    encoding = encoding == null ? "" : encoding.trim().toLowerCase(Locale.ROOT);
    if (encoding.equals("identity")) {
      encoding = "";
    }
    if (!config.compressionAlgorithms().contains(encoding)) {
      error(ex, json, 400, "unsupported Content-Encoding: \"" + encoding + "\"", null);
      return;
    }
    long limit = config.maxRequestBodySize();
    long contentLength = contentLength(ex);
    if (encoding.isEmpty() && contentLength > limit) {
      error(ex, json, 413, "request body of " + contentLength + " bytes is larger than max_request_body_size ("
          + limit + " bytes)", null);
      return;
    }
    byte[] body;
    InputStream in = null;
    // Not try-with-resources: on an error the rest of the raw body is drained (by error()) before
    // the decoder is closed, so that the client reads our answer rather than a reset.
    try {
      in = BoundedBody.decoding(BoundedBody.limited(ex.getRequestBody(), limit), encoding);
      body = BoundedBody.read(in, limit, encoding.isEmpty() ? contentLength : -1);
    } catch (BoundedBody.TooLargeException e) {
      error(ex, json, 413, e.getMessage(), null);
      return;
    } catch (BoundedBody.UnsupportedEncodingException e) {
      error(ex, json, 400, e.getMessage(), null);
      return;
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      error(ex, json, 400, "cannot decode " + encoding + " body: " + e.getMessage(), null);
      return;
    } finally {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // nothing left to read
        }
      }
    }
    T data;
    try {
      data = parse(route, body, json);
    } catch (OtlpJsonException e) {
      error(ex, json, 400, "invalid OTLP/JSON: " + e.getMessage(), null);
      return;
    } catch (InvalidProtocolBufferException e) {
      error(ex, json, 400, "invalid OTLP protobuf: " + e.getMessage(), null);
      return;
    }
    RefusedException refusal = route.ingest().deliver(data);
    if (refusal != null) {
      com.google.rpc.Status st = OtlpErrors.status(refusal);
      int status = OtlpErrors.httpStatus(OtlpErrors.grpcCode(refusal));
      if ((status == 429 || status == 503) && refusal.retryAfter().isPresent()) {
        ex.getResponseHeaders().set("Retry-After", Long.toString(OtlpErrors.retryAfterSeconds(refusal.retryAfter().get())));
      }
      // The details (RetryInfo) are carried by Retry-After on HTTP.
      respond(ex, json, status, st.toBuilder().clearDetails().build());
      failedRequests.apply(Integer.toString(status)).increment();
      return;
    }
    respond(ex, json, 200, route.response());
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> T parse(Route<T, ?> route, byte[] body, boolean json)
      throws IOException {
    if (json) {
      return OtlpJson.otlp().parse(body, route.prototype());
    }
    // TracesData etc. are wire-identical to the Export*ServiceRequest: one parse, no conversion.
    return (T) route.prototype().getParserForType().parseFrom(body);
  }

  private void preflight(HttpExchange ex, String origin) throws IOException {
    Headers out = ex.getResponseHeaders();
    out.add("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    String method = ex.getRequestHeaders().getFirst("Access-Control-Request-Method");
    String headers = ex.getRequestHeaders().getFirst("Access-Control-Request-Headers");
    if (cors.originAllowed(origin) && "POST".equalsIgnoreCase(method.trim()) && cors.headersAllowed(headers)) {
      out.set("Access-Control-Allow-Origin", cors.allowOriginValue(origin));
      out.set("Access-Control-Allow-Methods", "POST");
      if (headers != null && !headers.isBlank()) {
        out.set("Access-Control-Allow-Headers", headers);
      }
      if (cors.maxAge() > 0) {
        out.set("Access-Control-Max-Age", Integer.toString(cors.maxAge()));
      }
    }
    ex.sendResponseHeaders(204, -1);
  }

  private void error(HttpExchange ex, boolean json, int status, String message, Code code) throws IOException {
    drain(ex);
    Code c = code != null ? code : OtlpErrors.grpcCodeForHttp(status);
    failedRequests.apply(Integer.toString(status)).increment();
    log.log(Level.WARNING, () -> "Rejected OTLP/HTTP request to " + ex.getRequestURI().getPath() + " with "
        + status + ": " + message);
    respond(ex, json, status, com.google.rpc.Status.newBuilder().setCode(c.getNumber()).setMessage(message).build());
  }

  private void plain(HttpExchange ex, int status, String text) throws IOException {
    drain(ex);
    failedRequests.apply(Integer.toString(status)).increment();
    log.log(Level.WARNING, () -> "Rejected OTLP/HTTP " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath()
        + " with " + status + ": " + text);
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(b);
    }
  }

  /**
   * Reads and discards what is left of a refused request's body (at most twice the body limit), so
   * that the client, still sending, reads our answer instead of a connection reset. Beyond that
   * the connection is closed.
   */
  private void drain(HttpExchange ex) {
    long cap = 2 * config.maxRequestBodySize();
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    try {
      InputStream in = ex.getRequestBody();
      int r;
      while (n < cap && (r = in.read(buf, 0, (int) Math.min(buf.length, cap - n))) >= 0) {
        n += r;
      }
    } catch (IOException e) {
      // the connection is closed after the answer anyway
    }
  }

  private static void respond(HttpExchange ex, boolean json, int status, Message message) throws IOException {
    byte[] b;
    if (json) {
      b = message instanceof com.google.rpc.Status ? STATUS_JSON.write(message) : OtlpJson.otlp().write(message);
    } else {
      b = message.toByteArray();
    }
    ex.getResponseHeaders().set("Content-Type", json ? JSON : PROTOBUF);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(b);
      }
    }
  }

  private static long contentLength(HttpExchange ex) {
    String cl = ex.getRequestHeaders().getFirst("Content-Length");
    if (cl == null) {
      return -1;
    }
    try {
      return Long.parseLong(cl.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The media type of a Content-Type header, without parameters, lower case; empty when absent. */
  static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }
}
