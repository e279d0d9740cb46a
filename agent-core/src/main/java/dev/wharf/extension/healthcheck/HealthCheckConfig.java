package dev.wharf.extension.healthcheck;

import dev.wharf.config.ConfigNode;
import dev.wharf.config.Endpoint;

/**
 * {@code health_check} settings, as upstream: {@code endpoint} (default localhost:13133),
 * {@code path} (default /), {@code response_body.healthy} / {@code .unhealthy} (static bodies
 * replacing the JSON status). {@code check_collector_pipeline} is accepted for compatibility and,
 * as upstream documents it as not working, ignored with a warning when enabled.
 */
public record HealthCheckConfig(Endpoint endpoint, String path, String healthyBody, String unhealthyBody,
    boolean checkCollectorPipeline) {

  public static final Endpoint DEFAULT_ENDPOINT = new Endpoint("localhost", 13133);

  static HealthCheckConfig parse(ConfigNode n) {
    Endpoint endpoint = n.endpoint("endpoint", DEFAULT_ENDPOINT);
    String path = n.string("path", "/");
    if (!path.startsWith("/")) {
      n.problem("path", "must start with '/', got '" + path + "'");
      path = "/";
    }
    ConfigNode body = n.child("response_body");
    String healthy = body.string("healthy", null);
    String unhealthy = body.string("unhealthy", null);
    ConfigNode ccp = n.child("check_collector_pipeline");
    boolean check = ccp.bool("enabled", false);
    ccp.duration("interval", java.time.Duration.ofMinutes(5));
    ccp.intValue("exporter_failure_threshold", 5);
    if (n.has("tls")) {
      n.problem("tls", "TLS on the health_check endpoint is not supported by Wharf");
    }
    return new HealthCheckConfig(endpoint, path, healthy, unhealthy, check);
  }
}
