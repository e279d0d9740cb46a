package dev.wharf.receiver.otlp;

import dev.wharf.config.ConfigNode;
import dev.wharf.config.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Config of the {@code otlp} receiver: {@code protocols.grpc} and/or {@code protocols.http}, with
 * upstream's keys and defaults ({@code receiver/otlpreceiver}, {@code configgrpc},
 * {@code confighttp}). A protocol is enabled by naming it, even with an empty value
 * ({@code grpc:}); a protocol left out is null.
 */
public record OtlpReceiverConfig(Grpc grpc, Http http) {

  public static final Endpoint DEFAULT_GRPC_ENDPOINT = new Endpoint("localhost", 4317);
  public static final Endpoint DEFAULT_HTTP_ENDPOINT = new Endpoint("localhost", 4318);
  public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 20L * 1024 * 1024;

  /** Server-side TLS; null when the {@code tls} key is absent (plaintext). */
  public record Tls(String certFile, String keyFile, String clientCaFile) {}

  /**
   * gRPC keepalive ({@code keepalive.server_parameters} / {@code enforcement_policy}); null
   * durations mean the gRPC defaults (ping after 2h idle, 20s ping timeout, clients may ping every 5m).
   */
  public record Keepalive(
      Duration maxConnectionIdle,
      Duration maxConnectionAge,
      Duration maxConnectionAgeGrace,
      Duration time,
      Duration timeout,
      Duration minTime,
      boolean permitWithoutStream) {
    static final Keepalive DEFAULT = new Keepalive(null, null, null, null, null, null, false);
  }

  public record Grpc(
      Endpoint endpoint,
      int maxRecvMsgSizeMib,
      int maxConcurrentStreams,
      int readBufferSize,
      int writeBufferSize,
      Tls tls,
      Keepalive keepalive) {

    /** Upstream's default message size limit: the gRPC library default of 4 MiB. */
    public long maxRecvMsgSizeBytes() {
      return maxRecvMsgSizeMib * 1024L * 1024L;
    }
  }

  /** CORS for browsers; null when {@code cors} is absent or has no allowed origin. */
  public record Cors(List<String> allowedOrigins, List<String> allowedHeaders, int maxAge) {}

  public record Http(
      Endpoint endpoint,
      String tracesUrlPath,
      String metricsUrlPath,
      String logsUrlPath,
      long maxRequestBodySize,
      List<String> compressionAlgorithms,
      Map<String, String> responseHeaders,
      Tls tls,
      Cors cors) {}

  /** Content encodings the HTTP server can decode (upstream also has zstd, snappy and lz4). */
  static final List<String> SUPPORTED_ENCODINGS = List.of("", "gzip", "zlib", "deflate");

  /** Encodings upstream knows but Wharf does not decode: configuring them is an error. */
  private static final List<String> UPSTREAM_ONLY_ENCODINGS = List.of("zstd", "snappy", "x-snappy-framed", "lz4");

  static OtlpReceiverConfig parse(ConfigNode node) {
    ConfigNode protocols = node.child("protocols");
    boolean hasGrpc = protocols.keys().contains("grpc");
    boolean hasHttp = protocols.keys().contains("http");
    Grpc grpc = null;
    Http http = null;
    ConfigNode g = protocols.child("grpc");
    if (hasGrpc) {
      grpc = parseGrpc(g);
    }
    ConfigNode h = protocols.child("http");
    if (hasHttp) {
      http = parseHttp(h);
    }
    if (!hasGrpc && !hasHttp) {
      node.problem("protocols", "must specify at least one protocol (grpc or http) when using the OTLP receiver");
    }
    return new OtlpReceiverConfig(grpc, http);
  }

  private static Grpc parseGrpc(ConfigNode g) {
    Endpoint endpoint = g.endpoint("endpoint", DEFAULT_GRPC_ENDPOINT);
    g.oneOf("transport", "tcp", List.of("tcp", "tcp4", "tcp6"));
    int maxMib = g.intValue("max_recv_msg_size_mib", 4, 1, 2047);
    int streams = g.intValue("max_concurrent_streams", 0, 0, Integer.MAX_VALUE);
    int readBuffer = g.intValue("read_buffer_size", 512 * 1024, 0, Integer.MAX_VALUE);
    int writeBuffer = g.intValue("write_buffer_size", 0, 0, Integer.MAX_VALUE);
    if (g.bool("include_metadata", false)) {
      g.problem("include_metadata", "is not supported by Wharf (client metadata is not carried through pipelines)");
    }
    Tls tls = parseTls(g);
    ConfigNode k = g.child("keepalive");
    ConfigNode sp = k.child("server_parameters");
    ConfigNode ep = k.child("enforcement_policy");
    Keepalive keepalive = new Keepalive(
        positive(sp, "max_connection_idle"),
        positive(sp, "max_connection_age"),
        positive(sp, "max_connection_age_grace"),
        positive(sp, "time"),
        positive(sp, "timeout"),
        positive(ep, "min_time"),
        ep.bool("permit_without_stream", false));
    return new Grpc(endpoint, maxMib, streams, readBuffer, writeBuffer, tls, keepalive);
  }

  private static Duration positive(ConfigNode n, String key) {
    Duration d = n.nonNegativeDuration(key, null);
    return d == null || d.isZero() ? null : d;
  }

  private static Http parseHttp(ConfigNode h) {
    Endpoint endpoint = h.endpoint("endpoint", DEFAULT_HTTP_ENDPOINT);
    String traces = urlPath(h, "traces_url_path", "/v1/traces");
    String metrics = urlPath(h, "metrics_url_path", "/v1/metrics");
    String logs = urlPath(h, "logs_url_path", "/v1/logs");
    long maxBody = h.longValue("max_request_body_size", DEFAULT_MAX_REQUEST_BODY_SIZE);
    if (maxBody < 0) {
      h.problem("max_request_body_size", "must not be negative, got " + maxBody);
      maxBody = DEFAULT_MAX_REQUEST_BODY_SIZE;
    } else if (maxBody == 0) {
      maxBody = DEFAULT_MAX_REQUEST_BODY_SIZE; // as upstream: 0 means the default
    }
    List<String> encodings = h.stringList("compression_algorithms", SUPPORTED_ENCODINGS);
    for (int i = 0; i < encodings.size(); i++) {
      String e = encodings.get(i);
      if (UPSTREAM_ONLY_ENCODINGS.contains(e)) {
        h.problems().add(h.pathOf("compression_algorithms") + "[" + i + "]",
            "'" + e + "' is not supported by Wharf; supported: " + SUPPORTED_ENCODINGS);
      } else if (!SUPPORTED_ENCODINGS.contains(e)) {
        h.problems().add(h.pathOf("compression_algorithms") + "[" + i + "]",
            "unknown compression algorithm '" + e + "'; supported: " + SUPPORTED_ENCODINGS);
      }
    }
    Map<String, String> responseHeaders = h.stringMap("response_headers");
    if (h.bool("include_metadata", false)) {
      h.problem("include_metadata", "is not supported by Wharf (client metadata is not carried through pipelines)");
    }
    Tls tls = parseTls(h);
    Cors cors = null;
    ConfigNode c = h.child("cors");
    List<String> origins = c.stringList("allowed_origins", List.of());
    List<String> headers = c.stringList("allowed_headers", List.of());
    int maxAge = c.intValue("max_age", 0, 0, Integer.MAX_VALUE);
    if (!origins.isEmpty()) {
      cors = new Cors(origins, headers, maxAge);
    } else if (!headers.isEmpty() || maxAge > 0) {
      c.problem("allowed_origins", "must list at least one origin when cors is configured");
    }
    return new Http(endpoint, traces, metrics, logs, maxBody, encodings, responseHeaders, tls, cors);
  }

  private static String urlPath(ConfigNode h, String key, String def) {
    String p = h.string(key, def);
    if (p == null || p.isEmpty()) {
      return def;
    }
    if (p.contains("?") || p.contains("#") || p.contains(" ")) {
      h.problem(key, "must be a URL path such as " + def + ", got '" + p + "'");
      return def;
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  private static Tls parseTls(ConfigNode parent) {
    boolean present = parent.keys().contains("tls");
    ConfigNode t = parent.child("tls");
    String cert = t.string("cert_file", "");
    String key = t.string("key_file", "");
    String clientCa = t.string("client_ca_file", "");
    if (!present) {
      return null;
    }
    if (cert.isEmpty()) {
      t.problem("cert_file", "is required for a TLS server");
    }
    if (key.isEmpty()) {
      t.problem("key_file", "is required for a TLS server");
    }
    return new Tls(cert, key, clientCa.isEmpty() ? null : clientCa);
  }
}
