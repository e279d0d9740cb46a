package dev.wharf.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.service.Components;
import dev.wharf.testing.TestComponents;
import dev.wharf.testing.TestContexts;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WharfSdkExportersTest {
  private final TestComponents test = new TestComponents();

  private Components components() {
    return test.components(new InProcessReceiverFactory());
  }

  private static final String CONFIG = String.join("\n",
      "receivers: {inprocess: {}}",
      "exporters: {testexp: {}}",
      "service:",
      "  pipelines:",
      "    traces: {receivers: [inprocess], exporters: [testexp]}",
      "    metrics: {receivers: [inprocess], exporters: [testexp]}",
      "    logs: {receivers: [inprocess], exporters: [testexp]}");

  @Test
  void sdkSpansMetricsAndLogsReachThePipelineInProcess() throws Exception {
    try (Wharf wharf = Wharf.builder().config(CONFIG).components(components()).start()) {
      try (SdkTracerProvider tp = SdkTracerProvider.builder()
          .addSpanProcessor(BatchSpanProcessor.builder(WharfSdkExporters.spanExporter(wharf)).build()).build()) {
        for (int i = 0; i < 10; i++) {
          tp.get("app").spanBuilder("op-" + i).setAttribute(AttributeKey.longKey("i"), i).startSpan().end();
        }
        assertThat(tp.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      }
      var traces = test.exported("testexp", Signal.TRACES);
      assertThat(traces.itemCount()).isEqualTo(10);
      assertThat(traces.all().getResourceSpans(0).getScopeSpans(0).getScope().getName()).isEqualTo("app");
      assertThat(TestContexts.metric(wharf.telemetry(), "otelcol_receiver_accepted_spans",
          "receiver", "inprocess", "transport", "inprocess")).isEqualTo(10);

      var metricExporter = WharfSdkExporters.metricExporter(wharf);
      assertThat(metricExporter.export(SdkToOtlpTest.metrics()).join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(test.exported("testexp", Signal.METRICS).all().getResourceMetrics(0).getScopeMetrics(0)
          .getMetricsCount()).isEqualTo(7);
      var logExporter = WharfSdkExporters.logRecordExporter(wharf);
      assertThat(logExporter.export(SdkToOtlpTest.logs()).join(5, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(test.exported("testexp", Signal.LOGS).itemCount()).isEqualTo(3);
    }
  }

  @Test
  void aPipelineRefusalFailsTheExportAndIsCounted() throws Exception {
    try (Wharf wharf = Wharf.builder().config(CONFIG).components(components()).start()) {
      SpanExporter exporter = WharfSdkExporters.spanExporter(wharf);
      test.exported("testexp", Signal.TRACES).refuseWith(RefusedException.unavailable("memory limit"));
      List<io.opentelemetry.sdk.trace.data.SpanData> spans = new ArrayList<>(SdkToOtlpTest.spans());
      CompletableResultCode r = exporter.export(spans).join(5, TimeUnit.SECONDS);
      assertThat(r.isSuccess()).isFalse();
      assertThat(r.getFailureThrowable()).hasMessage("memory limit");
      assertThat(TestContexts.metric(wharf.telemetry(), "otelcol_receiver_refused_spans",
          "receiver", "inprocess")).isEqualTo(3);
    }
  }

  @Test
  void explainsAMissingInprocessReceiver() throws Exception {
    String config = "receivers: {testrcv: {}}\nexporters: {testexp: {}}\n"
        + "service: {pipelines: {traces: {receivers: [testrcv], exporters: [testexp]}}}";
    try (Wharf wharf = Wharf.builder().config(config).components(components()).start()) {
      assertThatThrownBy(() -> WharfSdkExporters.spanExporter(wharf))
          .hasMessageContaining("receiver 'inprocess' is not in any pipeline");
    }
  }

  @Test
  void afterShutdownExportsAreRefused() throws Exception {
    Wharf wharf = Wharf.builder().config(CONFIG).components(components()).start();
    SpanExporter exporter = WharfSdkExporters.spanExporter(wharf);
    wharf.shutdown();
    assertThat(exporter.export(SdkToOtlpTest.spans()).isSuccess()).isFalse();
  }
}
