package dev.wharf.exporter.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wharf.pipeline.RefusedException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;

class AwsSupportTest {

  static AwsServiceException serviceError(int status, String code, String retryAfter) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    if (retryAfter != null) {
      http.putHeader("Retry-After", retryAfter);
    }
    return AwsServiceException.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").sdkHttpResponse(http.build())
            .build())
        .build();
  }

  @Test
  void errorClassification() {
    RefusedException throttled = AwsErrors.toRefused("Op", serviceError(429, "ThrottlingException", "3"));
    assertThat(throttled.reason()).isEqualTo(RefusedException.Reason.RESOURCE_EXHAUSTED);
    assertThat(throttled.retryAfter()).contains(Duration.ofSeconds(3));
    RefusedException throttledBy400 = AwsErrors.toRefused("Op", serviceError(400, "ThrottlingException", null));
    assertThat(throttledBy400.retryable()).isTrue();
    RefusedException unavailable = AwsErrors.toRefused("Op", serviceError(503, "ServiceUnavailable", null));
    assertThat(unavailable.reason()).isEqualTo(RefusedException.Reason.UNAVAILABLE);
    assertThat(unavailable.retryAfter()).isEmpty();
    RefusedException denied = AwsErrors.toRefused("Op", serviceError(403, "AccessDeniedException", null));
    assertThat(denied.reason()).isEqualTo(RefusedException.Reason.PERMANENT);
    assertThat(denied.getMessage()).isEqualTo("Op failed: HTTP 403 AccessDeniedException: m");
    RefusedException network = AwsErrors.toRefused("Op", SdkClientException.create("connection refused"));
    assertThat(network.retryable()).isTrue();
  }

  @Test
  void credentialsFromTheComponentEnvironment() {
    var p = AwsClients.baseCredentials(Map.of("AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "SK",
        "AWS_SESSION_TOKEN", "T"));
    assertThat(p).isInstanceOf(StaticCredentialsProvider.class);
    assertThat(p.resolveCredentials()).isInstanceOfSatisfying(AwsSessionCredentials.class,
        c -> assertThat(c.sessionToken()).isEqualTo("T"));
    assertThat(AwsClients.baseCredentials(Map.of())).isInstanceOf(DefaultCredentialsProvider.class);
  }

  @Test
  void endpointPrecedence() {
    Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://all:1", "AWS_ENDPOINT_URL_XRAY", "http://xray:2");
    AwsSettings none = AwsSettings.DEFAULT;
    AwsSettings configured = new AwsSettings("", "xray.local:443", "", 30, 2, "", false, false);
    assertThat(AwsClients.endpoint(configured, "XRAY", env)).isEqualTo(URI.create("https://xray.local:443"));
    assertThat(AwsClients.endpoint(none, "XRAY", env)).isEqualTo(URI.create("http://xray:2"));
    assertThat(AwsClients.endpoint(none, "LOGS", env)).isEqualTo(URI.create("http://all:1"));
    assertThat(AwsClients.endpoint(none, "XRAY", Map.of())).isNull();
  }

  @Test
  void regionOrder() {
    AwsRegionResolver r = new AwsRegionResolver(Map.of("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "eu-west-2",
        "AWS_EC2_METADATA_DISABLED", "true"), Duration.ofMillis(200));
    assertThat(r.resolve("ap-south-1", false, "exporters.awsxray").region()).isEqualTo("ap-south-1");
    assertThat(r.resolve("", false, "exporters.awsxray").region()).isEqualTo("eu-west-1");
    assertThat(new AwsRegionResolver(Map.of("AWS_DEFAULT_REGION", "eu-west-2", "AWS_EC2_METADATA_DISABLED", "true"),
        Duration.ofMillis(200)).resolve("", false, "x").region()).isEqualTo("eu-west-2");
    assertThat(AwsRegionResolver.regionOfArn("arn:aws:ecs:us-east-2:1:task/c/abc")).isEqualTo("us-east-2");
    assertThat(AwsRegionResolver.regionOfArn("not-an-arn")).isNull();
  }

  @Test
  void regionFromImdsV2() throws Exception {
    HttpServer imds = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    AtomicReference<String> tokenSeen = new AtomicReference<>();
    imds.createContext("/latest/api/token", ex -> {
      byte[] b = "tok-1".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders("PUT".equals(ex.getRequestMethod()) ? 200 : 405, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    imds.createContext("/latest/meta-data/placement/region", ex -> {
      tokenSeen.set(ex.getRequestHeaders().getFirst("X-aws-ec2-metadata-token"));
      byte[] b = "sa-east-1".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    imds.start();
    try {
      Map<String, String> env = Map.of("AWS_EC2_METADATA_SERVICE_ENDPOINT",
          "http://127.0.0.1:" + imds.getAddress().getPort());
      AwsRegionResolver.Resolved r = new AwsRegionResolver(env, Duration.ofSeconds(1)).resolve("", false, "x");
      assertThat(r.region()).isEqualTo("sa-east-1");
      assertThat(r.source()).isEqualTo("EC2 instance metadata");
      assertThat(tokenSeen.get()).isEqualTo("tok-1");
      // local_mode never asks instance metadata
      assertThatThrownBy(() -> new AwsRegionResolver(env, Duration.ofSeconds(1)).resolve("", true, "exporters.awsxray"))
          .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("exporters.awsxray: no AWS region found");
    } finally {
      imds.stop(0);
    }
  }

  @Test
  void settingsValidation() {
    var problems = new dev.wharf.config.ConfigProblems();
    var node = dev.wharf.config.ConfigNode.of("exporters.x", Map.of("proxy_address", "://bad"), problems);
    AwsSettings.parse(node, AwsSettings.DEFAULT);
    assertThat(problems.list()).extracting(p -> p.path()).containsExactly("exporters.x.proxy_address");
    assertThat(List.of(AwsSettings.withScheme("h:1"), AwsSettings.withScheme("http://h:1")))
        .containsExactly("https://h:1", "http://h:1");
  }
}
