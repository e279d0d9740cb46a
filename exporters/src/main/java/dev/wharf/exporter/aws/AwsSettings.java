package dev.wharf.exporter.aws;

import dev.wharf.config.ConfigNode;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The AWS session keys every AWS exporter shares (upstream {@code awsutil.AWSSessionSettings}):
 * {@code region}, {@code endpoint}, {@code role_arn}, {@code request_timeout_seconds},
 * {@code max_retries}, {@code proxy_address}, {@code no_verify_ssl}, {@code local_mode}.
 *
 * @param region "" = resolve (environment, ECS task metadata, EC2 IMDS)
 * @param endpoint "" = the SDK's endpoint, or {@code AWS_ENDPOINT_URL_<SERVICE>} / {@code AWS_ENDPOINT_URL}
 * @param localMode true = never ask EC2 instance metadata (upstream: running outside EC2)
 */
public record AwsSettings(
    String region,
    String endpoint,
    String roleArn,
    int requestTimeoutSeconds,
    int maxRetries,
    String proxyAddress,
    boolean noVerifySsl,
    boolean localMode) {

  /** Upstream defaults: 30 s per HTTP call, 2 SDK retries. */
  public static final AwsSettings DEFAULT = new AwsSettings("", "", "", 30, 2, "", false, false);

  /** Binds the keys from an exporter node over {@code defaults}; problems name the full path. */
  public static AwsSettings parse(ConfigNode n, AwsSettings defaults) {
    String region = n.string("region", defaults.region);
    String endpoint = n.string("endpoint", defaults.endpoint);
    String roleArn = n.string("role_arn", defaults.roleArn);
    int timeout = n.intValue("request_timeout_seconds", defaults.requestTimeoutSeconds);
    int retries = n.intValue("max_retries", defaults.maxRetries);
    String proxy = n.string("proxy_address", defaults.proxyAddress);
    boolean noVerify = n.bool("no_verify_ssl", defaults.noVerifySsl);
    boolean local = n.bool("local_mode", defaults.localMode);
    if (timeout <= 0) {
      n.problem("request_timeout_seconds", "must be positive, got " + timeout);
    }
    if (retries < 0) {
      n.problem("max_retries", "must not be negative, got " + retries);
    }
    if (!endpoint.isEmpty()) {
      String problem = uriProblem(withScheme(endpoint));
      if (problem != null) {
        n.problem("endpoint", problem);
      }
    }
    if (!proxy.isEmpty()) {
      String problem = uriProblem(withScheme(proxy));
      if (problem != null) {
        n.problem("proxy_address", problem);
      }
    }
    if (!roleArn.isEmpty() && !roleArn.startsWith("arn:")) {
      n.problem("role_arn", "expected an IAM role ARN (arn:aws:iam::<account>:role/<name>), got '" + roleArn + "'");
    }
    return new AwsSettings(region, endpoint, roleArn, timeout, retries, proxy, noVerify, local);
  }

  /** Upstream accepts endpoints without a scheme ({@code xray.us-west-2.amazonaws.com}); they mean https. */
  static String withScheme(String endpoint) {
    return endpoint.contains("://") ? endpoint : "https://" + endpoint;
  }

  private static String uriProblem(String s) {
    try {
      URI u = new URI(s);
      if (u.getHost() == null || u.getHost().isEmpty()) {
        return "expected a URL such as https://host:port, got '" + s + "'";
      }
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
        return "expected an http or https URL, got '" + s + "'";
      }
      return null;
    } catch (URISyntaxException e) {
      return "not a valid URL: " + e.getMessage();
    }
  }
}
