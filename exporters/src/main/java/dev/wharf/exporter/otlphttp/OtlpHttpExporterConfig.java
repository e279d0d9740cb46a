package dev.wharf.exporter.otlphttp;

import dev.wharf.config.ConfigNode;
import dev.wharf.exporter.otlp.OtlpClientTls;
import dev.wharf.exporter.otlp.OtlpExporterConfig;
import dev.wharf.exporterhelper.ExporterSettings;
import dev.wharf.exporterhelper.QueueSettings;
import dev.wharf.exporterhelper.RetrySettings;
import dev.wharf.pipeline.Signal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Config of the {@code otlphttp} exporter, upstream keys and defaults ({@code exporter/otlphttpexporter},
 * {@code confighttp.ClientConfig}): {@code endpoint} (base URL; {@code /v1/traces} etc. appended),
 * {@code traces_endpoint}/{@code metrics_endpoint}/{@code logs_endpoint} (full URLs, used as given),
 * {@code encoding} (proto|json), {@code compression} (gzip), {@code headers}, {@code tls},
 * {@code timeout} (30s: the HTTP request timeout), {@code sending_queue}, {@code retry_on_failure}.
 */
public record OtlpHttpExporterConfig(
    String endpoint,
    String tracesEndpoint,
    String metricsEndpoint,
    String logsEndpoint,
    boolean json,
    String compression,
    Map<String, String> headers,
    OtlpClientTls tls,
    ExporterSettings settings) {

  /** Upstream otlphttp: the HTTP client timeout is 30s (the exporterhelper timeout is unused). */
  static final ExporterSettings DEFAULTS =
      new ExporterSettings(Duration.ofSeconds(30), QueueSettings.DEFAULT, RetrySettings.DEFAULT);

  static OtlpHttpExporterConfig parse(ConfigNode node) {
    String endpoint = url(node, "endpoint");
    String traces = url(node, "traces_endpoint");
    String metrics = url(node, "metrics_endpoint");
    String logs = url(node, "logs_endpoint");
    if (endpoint.isEmpty() && traces.isEmpty() && metrics.isEmpty() && logs.isEmpty()) {
      node.problem("endpoint", "at least one endpoint must be specified (endpoint or traces_endpoint,"
          + " metrics_endpoint, logs_endpoint)");
    }
    String encoding = node.oneOf("encoding", "proto", List.of("proto", "json"));
    String compression = OtlpExporterConfig.compression(node);
    Map<String, String> headers = node.stringMap("headers");
    OtlpClientTls tls = OtlpClientTls.parse(node.child("tls"));
    ExporterSettings settings = ExporterSettings.parse(node, DEFAULTS);
    return new OtlpHttpExporterConfig(endpoint, traces, metrics, logs, "json".equals(encoding), compression,
        headers, tls, settings);
  }

  private static String url(ConfigNode node, String key) {
    String s = node.string(key, "");
    if (s.isEmpty()) {
      return s;
    }
    try {
      URI u = new URI(s);
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
          || u.getHost() == null) {
        node.problem(key, "expected an http:// or https:// URL, got '" + s + "'");
        return "";
      }
    } catch (java.net.URISyntaxException e) {
      node.problem(key, "invalid URL '" + s + "': " + e.getReason());
      return "";
    }
    return s;
  }

  /**
   * The URL a signal is sent to, as upstream's {@code composeSignalURL}: the signal's own endpoint
   * as given, else {@code endpoint} + {@code /v1/<signal>} (without doubling a trailing slash).
   */
  public String signalUrl(Signal<?> signal) {
    String own = signal == Signal.TRACES ? tracesEndpoint : signal == Signal.METRICS ? metricsEndpoint : logsEndpoint;
    if (!own.isEmpty()) {
      return own;
    }
    if (endpoint.isEmpty()) {
      throw new IllegalArgumentException("either endpoint or " + signal.id() + "_endpoint must be specified");
    }
    return (endpoint.endsWith("/") ? endpoint : endpoint + "/") + "v1/" + signal.id();
  }
}
