package dev.wharf.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The shared test endpoint itself: its SigV4 check (cross-checked once with the SDK's signer) and its X-Ray limits. */
class RecordingAwsEndpointTest {
  static final String BODY = "{\"TraceSegmentDocuments\":[\"{}\"]}";

  static SignedRequest sdkSigned(String region, String body) {
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST)
        .uri(java.net.URI.create("http://127.0.0.1:4567/TraceSegments?b=2&a=1"))
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Custom", "  spaced   value ")
        .build();
    return AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(RecordingAwsEndpoint.ACCESS_KEY, RecordingAwsEndpoint.SECRET_KEY))
        .request(request)
        .payload(ContentStreamProvider.fromUtf8String(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "xray")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region));
  }

  static Map<String, List<String>> headers(SignedRequest s) {
    Map<String, List<String>> h = new LinkedHashMap<>(s.request().headers());
    h.put("Host", List.of("127.0.0.1:4567"));
    return h;
  }

  @Test
  void verifierAcceptsWhatTheSdkSignerSignsAndRejectsTampering() {
    SigV4Verifier v = new SigV4Verifier(RecordingAwsEndpoint.ACCESS_KEY, RecordingAwsEndpoint.SECRET_KEY,
        "us-west-2", "xray");
    SignedRequest signed = sdkSigned("us-west-2", BODY);
    byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
    assertThat(v.verify("POST", "/TraceSegments", "b=2&a=1", headers(signed), body)).isEmpty();

    assertThat(v.verify("POST", "/TraceSegments", "b=2&a=1", headers(signed),
        BODY.replace("{}", "{ }").getBytes(StandardCharsets.UTF_8)))
        .anyMatch(p -> p.startsWith("signature mismatch"));
    assertThat(v.verify("POST", "/TelemetryRecords", "b=2&a=1", headers(signed), body))
        .anyMatch(p -> p.startsWith("signature mismatch"));
    assertThat(v.verify("POST", "/TraceSegments", "b=2&a=1", headers(sdkSigned("eu-west-1", BODY)), body))
        .anyMatch(p -> p.contains("signed for region eu-west-1"));
    SigV4Verifier otherSecret = new SigV4Verifier(RecordingAwsEndpoint.ACCESS_KEY, "another-secret",
        "us-west-2", "xray");
    assertThat(otherSecret.verify("POST", "/TraceSegments", "b=2&a=1", headers(signed), body))
        .anyMatch(p -> p.startsWith("signature mismatch"));
    assertThat(v.verify("POST", "/TraceSegments", null, Map.of("Host", List.of("x")), body))
        .containsExactly("no AWS4-HMAC-SHA256 Authorization header");
  }

  @Test
  void xrayLimitsAndShape() {
    String good = "{\"name\":\"a\",\"id\":\"0123456789abcdef\",\"start_time\":1.5,\"end_time\":2,"
        + "\"trace_id\":\"1-5f2aebcc-b475d14618c51eaa28753d37\"}";
    assertThat(XrayValidation.segmentDocument(good)).isEmpty();
    assertThat(XrayValidation.segmentDocument(good.replace("\"end_time\":2", "\"in_progress\":true"))).isEmpty();
    assertThat(XrayValidation.segmentDocument(good.replace("0123456789abcdef", "xyz")))
        .anyMatch(p -> p.startsWith("id must be"));
    assertThat(XrayValidation.segmentDocument(good.replace(",\"end_time\":2", "")))
        .anyMatch(p -> p.contains("end_time"));
    assertThat(XrayValidation.segmentDocument(good.replace("}", ",\"type\":\"subsegment\"}")))
        .anyMatch(p -> p.contains("parent_id"));
    assertThat(XrayValidation.segmentDocument(good.replace("}", ",\"annotations\":{\"a-b\":{}}}")))
        .hasSize(2);
    String big = good.replace("}", ",\"metadata\":{\"default\":{\"x\":\"" + "x".repeat(66_000) + "\"}}}");
    assertThat(XrayValidation.segmentDocument(big)).anyMatch(p -> p.contains("64 KB"));

    List<String> docs = new ArrayList<>();
    for (int i = 0; i < 51; i++) {
      docs.add("\"" + good.replace("\"", "\\\"") + "\"");
    }
    String body = "{\"TraceSegmentDocuments\":[" + String.join(",", docs) + "]}";
    RecordingAwsEndpoint.Recorded r = new RecordingAwsEndpoint.Recorded("PutTraceSegments", "POST",
        "/TraceSegments", Map.of(), body.getBytes(StandardCharsets.UTF_8), new ArrayList<>());
    assertThat(XrayValidation.putTraceSegments(r)).containsExactly("51 documents in one call; X-Ray takes 1..50");
  }
}
