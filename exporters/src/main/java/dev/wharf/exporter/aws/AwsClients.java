package dev.wharf.exporter.aws;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.ProxyConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.AttributeMap;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Builds AWS SDK v2 clients the same way for every AWS exporter: the url-connection HTTP client
 * with {@code request_timeout_seconds}, {@code proxy_address} and {@code no_verify_ssl}; SDK retries
 * at {@code max_retries}; the resolved region; credentials from the component's environment
 * ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}[/{@code AWS_SESSION_TOKEN}]) or else the
 * SDK default chain (environment, web identity, profile, ECS container credentials, EC2 instance
 * profile), wrapped in STS assume-role when {@code role_arn} is set; the endpoint from config
 * {@code endpoint}, else {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}.
 *
 * <p>Close the returned {@link Resources} when the exporter stops.
 */
public final class AwsClients {
  private AwsClients() {}

  /** What a built client depends on and must be closed with it. */
  public static final class Resources implements AutoCloseable {
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final StsClient sts;

    Resources(SdkHttpClient http, AwsCredentialsProvider credentials, StsClient sts) {
      this.http = http;
      this.credentials = credentials;
      this.sts = sts;
    }

    public SdkHttpClient http() {
      return http;
    }

    public AwsCredentialsProvider credentials() {
      return credentials;
    }

    @Override
    public void close() {
      if (credentials instanceof SdkAutoCloseable c && !(credentials instanceof DefaultCredentialsProvider)) {
        c.close();
      }
      if (sts != null) {
        sts.close();
      }
      http.close();
    }
  }

  /**
   * Configures {@code builder} (region, credentials, endpoint, HTTP client, retries, timeouts) and
   * returns the resources to close with the client.
   *
   * @param serviceEnvName the service part of {@code AWS_ENDPOINT_URL_<SERVICE>}, e.g. {@code XRAY}
   */
  public static Resources configure(AwsClientBuilder<?, ?> builder, AwsSettings settings, String region,
      String serviceEnvName, Map<String, String> env) {
    SdkHttpClient http = httpClient(settings, env);
    Region r = Region.of(region);
    StsClient sts = null;
    AwsCredentialsProvider base = baseCredentials(env);
    AwsCredentialsProvider credentials = base;
    if (!settings.roleArn().isEmpty()) {
      var stsBuilder = StsClient.builder().region(r).credentialsProvider(base).httpClient(http)
          .overrideConfiguration(overrides(settings));
      URI stsEndpoint = envEndpoint("STS", env);
      if (stsEndpoint != null) {
        stsBuilder.endpointOverride(stsEndpoint);
      }
      sts = stsBuilder.build();
      final String session = "wharf-" + System.currentTimeMillis();
      credentials = StsAssumeRoleCredentialsProvider.builder()
          .stsClient(sts)
          .refreshRequest(req -> req.roleArn(settings.roleArn()).roleSessionName(session))
          .build();
    }
    builder.region(r).credentialsProvider(credentials).overrideConfiguration(overrides(settings));
    URI endpoint = endpoint(settings, serviceEnvName, env);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
      sync.httpClient(http);
    }
    return new Resources(http, credentials, sts);
  }

  /** Static credentials from the component's environment when present, else the SDK default chain. */
  public static AwsCredentialsProvider baseCredentials(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id != null && !id.isEmpty() && secret != null && !secret.isEmpty()) {
      String token = env.get("AWS_SESSION_TOKEN");
      return StaticCredentialsProvider.create(token == null || token.isEmpty()
          ? AwsBasicCredentials.create(id, secret)
          : AwsSessionCredentials.create(id, secret, token));
    }
    return DefaultCredentialsProvider.builder().build();
  }

  /** Config {@code endpoint}, else {@code AWS_ENDPOINT_URL_<SERVICE>}, else {@code AWS_ENDPOINT_URL}; null = SDK default. */
  public static URI endpoint(AwsSettings settings, String serviceEnvName, Map<String, String> env) {
    if (!settings.endpoint().isEmpty()) {
      return URI.create(AwsSettings.withScheme(settings.endpoint()));
    }
    return envEndpoint(serviceEnvName, env);
  }

  static URI envEndpoint(String serviceEnvName, Map<String, String> env) {
    String v = env.get("AWS_ENDPOINT_URL_" + serviceEnvName.toUpperCase(Locale.ROOT));
    if (v == null || v.isBlank()) {
      v = env.get("AWS_ENDPOINT_URL");
    }
    return v == null || v.isBlank() ? null : URI.create(v.trim());
  }

  static ClientOverrideConfiguration overrides(AwsSettings settings) {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(settings.maxRetries() + 1).build())
        .apiCallAttemptTimeout(Duration.ofSeconds(settings.requestTimeoutSeconds()))
        .putAdvancedOption(SdkAdvancedClientOption.USER_AGENT_SUFFIX, "wharf")
        .build();
  }

  /** The url-connection HTTP client with the exporter's timeout, proxy and TLS settings. */
  public static SdkHttpClient httpClient(AwsSettings settings, Map<String, String> env) {
    Duration timeout = Duration.ofSeconds(settings.requestTimeoutSeconds());
    UrlConnectionHttpClient.Builder b = UrlConnectionHttpClient.builder()
        .socketTimeout(timeout)
        .connectionTimeout(timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10));
    String proxy = settings.proxyAddress();
    if (proxy.isEmpty()) {
      proxy = firstSet(env, "HTTPS_PROXY", "https_proxy");
    }
    ProxyConfiguration.Builder p = ProxyConfiguration.builder().useEnvironmentVariablesValues(false);
    if (proxy != null && !proxy.isEmpty()) {
      p.endpoint(URI.create(AwsSettings.withScheme(proxy).replaceFirst("^https://", "http://")));
      String noProxy = firstSet(env, "NO_PROXY", "no_proxy");
      if (noProxy != null) {
        Set<String> hosts = new HashSet<>();
        for (String h : noProxy.split(",")) {
          if (!h.isBlank()) {
            hosts.add(h.trim());
          }
        }
        p.nonProxyHosts(hosts);
      }
    }
    b.proxyConfiguration(p.build());
    if (settings.noVerifySsl()) {
      return b.buildWithDefaults(AttributeMap.builder()
          .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build());
    }
    return b.build();
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }
}
