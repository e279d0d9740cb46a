package dev.wharf.exporter.otlphttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.BuildInfo;
import dev.wharf.exporter.otlp.OtlpExporterTestSupport;
import dev.wharf.pipeline.RefusedException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class OtlpHttpSenderTest {
  private final OtlpHttpSender<io.opentelemetry.proto.trace.v1.TracesData, ExportTraceServiceResponse> sender =
      new OtlpHttpSender<>(OtlpExporterTestSupport.config(new OtlpHttpExporterFactory(), "otlphttp",
          "endpoint: http://127.0.0.1:1\n"), URI.create("http://127.0.0.1:1/v1/traces"),
          ExportTraceServiceResponse.getDefaultInstance(), BuildInfo.current());

  @ParameterizedTest(name = "HTTP {0} Retry-After={1} -> {2}")
  @CsvSource({
      "429,3,RESOURCE_EXHAUSTED,3", "429,,RESOURCE_EXHAUSTED,", "503,7,UNAVAILABLE,7", "502,5,UNAVAILABLE,",
      "504,,UNAVAILABLE,", "400,,INVALID_ARGUMENT,", "401,,PERMANENT,", "403,,PERMANENT,", "404,,PERMANENT,",
      "413,,PERMANENT,", "500,,PERMANENT,"})
  void statusCodesAreClassifiedAsTheOtlpSpecSays(int status, String retryAfter, String reason, Long delaySeconds) {
    RefusedException r = sender.classify(status, retryAfter, "why");
    assertThat(r.reason().name()).isEqualTo(reason);
    assertThat(r.retryAfter().orElse(null)).isEqualTo(delaySeconds == null ? null : Duration.ofSeconds(delaySeconds));
    assertThat(r.getMessage()).contains("HTTP Status Code " + status).contains("why");
  }

  @Test
  void retryAfterAcceptsSecondsAndHttpDates() {
    assertThat(OtlpHttpSender.retryAfter("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(OtlpHttpSender.retryAfter("soon")).isNull();
    assertThat(OtlpHttpSender.retryAfter(null)).isNull();
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(60));
    assertThat(OtlpHttpSender.retryAfter(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(61));
    String past = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().minusSeconds(60));
    assertThat(OtlpHttpSender.retryAfter(past)).isEqualTo(Duration.ZERO);
  }
}
