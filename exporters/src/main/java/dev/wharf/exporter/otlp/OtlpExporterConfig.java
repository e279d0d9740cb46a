package dev.wharf.exporter.otlp;

import dev.wharf.config.ConfigNode;
import dev.wharf.exporterhelper.ExporterSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Config of the {@code otlp} (gRPC) exporter, upstream keys and defaults
 * ({@code exporter/otlpexporter}, {@code configgrpc.ClientConfig}): {@code endpoint} (required,
 * {@code host:port}, optionally {@code http://} or {@code https://}), {@code headers},
 * {@code compression} (gzip), {@code tls} (TLS unless {@code insecure: true}), {@code keepalive},
 * {@code balancer_name}, plus {@code timeout} (5s), {@code sending_queue} and
 * {@code retry_on_failure}.
 */
public record OtlpExporterConfig(
    String endpoint,
    String target,
    boolean schemeHttps,
    Map<String, String> headers,
    String compression,
    OtlpClientTls tls,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    boolean keepalivePermitWithoutStream,
    String balancerName,
    ExporterSettings settings) {

  /** Compressions the exporters can apply ({@code none} and empty mean uncompressed). */
  public static final List<String> COMPRESSIONS = List.of("gzip", "none", "");

  static OtlpExporterConfig parse(ConfigNode node) {
    String endpoint = node.string("endpoint", "");
    String target = endpoint;
    boolean https = false;
    if (endpoint.startsWith("https://")) {
      target = endpoint.substring("https://".length());
      https = true;
    } else if (endpoint.startsWith("http://")) {
      target = endpoint.substring("http://".length());
    }
    if (target.endsWith("/")) {
      target = target.substring(0, target.length() - 1);
    }
    if (target.isEmpty()) {
      node.problem("endpoint", "requires a non-empty \"endpoint\" (host:port, e.g. collector:4317)");
    } else {
      int colon = target.lastIndexOf(':');
      String port = colon < 0 ? "" : target.substring(colon + 1);
      if (colon < 0) {
        node.problem("endpoint", "missing port in address '" + endpoint + "' (expected host:port)");
      } else if (!port.matches("[0-9]{1,5}")) {
        node.problem("endpoint", "invalid port \"" + port + "\"");
      }
    }
    Map<String, String> headers = node.stringMap("headers");
    for (String h : headers.keySet()) {
      String k = h.toLowerCase(java.util.Locale.ROOT);
      if (k.endsWith("-bin") || !k.matches("[0-9a-z_.\\-]+")) {
        node.problems().add(node.pathOf("headers") + "." + h,
            "not a valid gRPC metadata key (letters, digits, '-', '_', '.'; binary '-bin' keys are not supported)");
      }
    }
    String compression = compression(node);
    OtlpClientTls tls = OtlpClientTls.parse(node.child("tls"));
    ConfigNode k = node.child("keepalive");
    Duration kaTime = k.nonNegativeDuration("time", null);
    Duration kaTimeout = k.nonNegativeDuration("timeout", null);
    boolean kaPermit = k.bool("permit_without_stream", false);
    String balancer = node.oneOf("balancer_name", "round_robin", List.of("round_robin", "pick_first"));
    ExporterSettings settings = ExporterSettings.parse(node, ExporterSettings.DEFAULT);
    return new OtlpExporterConfig(endpoint, target, https, headers, compression, tls,
        kaTime == null || kaTime.isZero() ? null : kaTime, kaTimeout == null || kaTimeout.isZero() ? null : kaTimeout,
        kaPermit, balancer, settings);
  }

  /** {@code compression}: gzip (default) or none; upstream's other algorithms are refused by name. */
  public static String compression(ConfigNode node) {
    String c = node.string("compression", "gzip");
    if (List.of("zstd", "snappy", "zlib", "deflate", "lz4", "x-snappy-framed").contains(c)) {
      node.problem("compression", "'" + c + "' is not supported by Wharf; use gzip or none");
      return "gzip";
    }
    if (!COMPRESSIONS.contains(c)) {
      node.problem("compression", "expected one of [gzip, none], got '" + c + "'");
      return "gzip";
    }
    return c.equals("gzip") ? "gzip" : "none";
  }
}
