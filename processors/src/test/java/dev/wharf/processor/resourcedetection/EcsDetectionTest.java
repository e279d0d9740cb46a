package dev.wharf.processor.resourcedetection;

import static dev.wharf.processor.resourcedetection.ResourceDetectionTestSupport.config;
import static dev.wharf.processor.resourcedetection.ResourceDetectionTestSupport.detectOnce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentKind;
import dev.wharf.ecs.EcsFixtureCases;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.EcsMetadataServer;
import dev.wharf.testing.EcsMetadataServer.Failure;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.MetricsData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The ecs detector against the loopback metadata server replaying every capture of fixtures/ecs. */
class EcsDetectionTest {
  static final String LOGGER = "wharf.processor.resourcedetection";

  static Stream<EcsFixtureCases.Case> cases() {
    return EcsFixtureCases.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyCaptureYieldsTheSpecAttributesKeyByKey(EcsFixtureCases.Case c) throws Exception {
    try (EcsMetadataServer ecs = c.startServer()) {
      ResourceDetectionProcessorFactory f = new ResourceDetectionProcessorFactory(ResourceDetectionTestSupport.FAKE_HOST);
      RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
      var p = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES,
          SelfTelemetry.inMemory(), ecs.env()), config("detectors: [ecs]"), Signal.TRACES, sink);
      p.start(new TestHost());
      TracesData batch = TestData.traces("checkout", 3, 1);
      p.consume(batch);
      p.consume(batch);
      p.shutdown(System.nanoTime());

      for (TracesData out : sink.received()) {
        List<KeyValue> attrs = out.getResourceSpans(0).getResource().getAttributesList();
        assertThat(attrs.get(0)).isEqualTo(TestData.attr("service.name", "checkout"));
        EcsFixtureCases.assertAttributes(c.name(), attrs.subList(1, attrs.size()), c.expected());
        assertThat(out.getResourceSpans(0).getScopeSpans(0)).isSameAs(batch.getResourceSpans(0).getScopeSpans(0));
        assertThat(out.getResourceSpans(0).getSchemaUrl()).isEqualTo(EcsDetector.SCHEMA_URL);
      }
      // Detection happened once, at start; batches never reach the endpoint.
      assertThat(ecs.requests("/task")).isEqualTo(1);
      assertThat(ecs.requests("")).isEqualTo(1);
    }
  }

  @Test
  void v3EndpointIsUsedWhenV4IsMissing() throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(0);
    try (EcsMetadataServer ecs = c.startServer()) {
      List<KeyValue> attrs = detectOnce("detectors: [ecs]",
          Map.of("ECS_CONTAINER_METADATA_URI", ecs.uri().toString()));
      EcsFixtureCases.assertAttributes(c.name(), attrs, c.expected());
    }
  }

  @Test
  void disabledAttributesAreNotSet() throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(1);
    try (EcsMetadataServer ecs = c.startServer()) {
      List<KeyValue> attrs = detectOnce("detectors: [ecs]\n"
          + "ecs:\n  resource_attributes:\n    aws.log.group.arns: {enabled: false}\n"
          + "    aws.ecs.task.id: {enabled: false}\n", ecs.env());
      Map<String, Object> expected = new HashMap<>(c.expected());
      expected.remove("aws.log.group.arns");
      expected.remove("aws.ecs.task.id");
      EcsFixtureCases.assertAttributes(c.name(), attrs, expected);
    }
  }

  @Test
  void notOnEcsAddsNothingAndSaysSoAtDebugLevel() throws Exception {
    try (LogCapture logs = new LogCapture(LOGGER)) {
      ResourceDetectionProcessorFactory f = new ResourceDetectionProcessorFactory(ResourceDetectionTestSupport.FAKE_HOST);
      RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
      var p = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES,
          SelfTelemetry.inMemory(), Map.of()), config("detectors: [ecs]"), Signal.TRACES, sink);
      p.start(new TestHost());
      TracesData batch = TestData.traces("svc", 2, 3);
      p.consume(batch);
      assertThat(sink.received().get(0)).isSameAs(batch);
      assertThat(logs.at(Level.FINE)).anyMatch(m -> m.contains("not on ECS"));
      assertThat(logs.at(Level.WARNING)).isEmpty();
    }
  }

  /**
   * Failure table: each failure of the endpoint gives a clear warning, start returns within the
   * timeout (plus a little), and data passes with the other detectors' attributes.
   */
  @ParameterizedTest
  @EnumSource(value = Failure.class, names = {"HTTP_500", "SLOW", "TRUNCATED", "GARBAGE"})
  void endpointFailuresWarnAndTheCollectorCarriesOn(Failure failure) throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(3);
    try (EcsMetadataServer ecs = EcsMetadataServer.builder().task(c.task())
        .containerFromTask(c.task(), c.selfFromTask()).slowDelay(Duration.ofSeconds(3)).start();
        LogCapture logs = new LogCapture(LOGGER)) {
      ecs.fail(failure);
      Map<String, String> env = new HashMap<>(ecs.env());
      env.put("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test");
      SelfTelemetry telemetry = SelfTelemetry.inMemory();
      long t0 = System.nanoTime();
      List<KeyValue> attrs = detectOnce("detectors: [env, ecs]\ntimeout: 400ms", env, telemetry);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(attrs).containsExactly(TestData.attr("deployment.environment", "test"));
      assertThat(took).isLessThan(Duration.ofMillis(2500));
      String expected = switch (failure) {
        case HTTP_500 -> "answered HTTP 500";
        case SLOW -> "timed out";
        default -> "malformed task metadata";
      };
      assertThat(logs.at(Level.WARNING)).anyMatch(m -> m.contains("detector ecs failed") && m.contains(expected));
      assertThat(logs.at(Level.WARNING)).anyMatch(m -> m.contains("continuing without its attributes")
          || m.contains("gave up"));
      assertThat(TestContexts.metric(telemetry, "otelcol_processor_resourcedetection_detector_results",
          "detector", "ecs", "outcome", "failure")).isEqualTo(1.0);
      assertThat(TestContexts.metric(telemetry, "otelcol_processor_resourcedetection_detector_results",
          "detector", "env", "outcome", "success")).isEqualTo(1.0);
    }
  }

  @Test
  void noEndpointListeningWarnsAndCarriesOn() throws Exception {
    int port = dev.wharf.testing.FreePort.pick();
    try (LogCapture logs = new LogCapture(LOGGER)) {
      List<KeyValue> attrs = detectOnce("detectors: [ecs, env]\ntimeout: 300ms", Map.of(
          "ECS_CONTAINER_METADATA_URI_V4", "http://127.0.0.1:" + port + "/v4/x",
          "OTEL_RESOURCE_ATTRIBUTES", "a=b"));
      assertThat(attrs).containsExactly(TestData.attr("a", "b"));
      assertThat(logs.at(Level.WARNING)).anyMatch(m -> m.contains("unable to fetch task metadata"));
    }
  }

  @Test
  void failingOwnContainerDocumentDiscardsTheDetectorAsUpstreamDoes() throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(1);
    try (EcsMetadataServer ecs = c.startServer(); LogCapture logs = new LogCapture(LOGGER)) {
      ecs.fail("", Failure.HTTP_500);
      List<KeyValue> attrs = detectOnce("detectors: [ecs]\ntimeout: 300ms", ecs.env());
      assertThat(attrs).isEmpty();
      assertThat(logs.at(Level.WARNING)).anyMatch(m -> m.contains("container metadata"));
    }
  }

  @Test
  void pipelinesSharingTheProcessorIdShareOneDetection() throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(3);
    try (EcsMetadataServer ecs = c.startServer()) {
      ResourceDetectionProcessorFactory f = new ResourceDetectionProcessorFactory(ResourceDetectionTestSupport.FAKE_HOST);
      ResourceDetectionConfig cfg = config("detectors: [ecs]");
      RecordingConsumer<TracesData> traces = new RecordingConsumer<>(Signal.TRACES);
      RecordingConsumer<MetricsData> metrics = new RecordingConsumer<>(Signal.METRICS);
      SelfTelemetry t = SelfTelemetry.inMemory();
      var p1 = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES,
          t, ecs.env()), cfg, Signal.TRACES, traces);
      var p2 = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.METRICS,
          t, ecs.env()), cfg, Signal.METRICS, metrics);
      p1.start(new TestHost());
      p2.start(new TestHost());
      p1.consume(TestData.traces("a", 1, 1));
      p2.consume(TestData.metrics("a", 1));
      assertThat(ecs.requests("/task")).isEqualTo(1);
      assertThat(traces.all().getResourceSpans(0).getResource().getAttributesList()).hasSize(16);
      assertThat(metrics.all().getResourceMetrics(0).getResource().getAttributesList()).hasSize(16);
      assertThat(TestContexts.metric(t, "otelcol_processor_resourcedetection_attributes_detected",
          "processor", "resourcedetection")).isEqualTo(15.0);
      p1.shutdown(System.nanoTime());
      p2.shutdown(System.nanoTime());
    }
  }

  @Test
  void refreshIntervalRedetectsInTheBackground() throws Exception {
    EcsFixtureCases.Case c = EcsFixtureCases.all().get(0);
    try (EcsMetadataServer ecs = c.startServer()) {
      ecs.fail(Failure.HTTP_500);
      ResourceDetectionProcessorFactory f = new ResourceDetectionProcessorFactory(ResourceDetectionTestSupport.FAKE_HOST);
      RecordingConsumer<TracesData> sink = new RecordingConsumer<>(Signal.TRACES);
      var p = f.createProcessor(TestContexts.context("resourcedetection", ComponentKind.PROCESSOR, Signal.TRACES,
          SelfTelemetry.inMemory(), ecs.env()), config("detectors: [ecs]\ntimeout: 200ms\nrefresh_interval: 100ms"),
          Signal.TRACES, sink);
      p.start(new TestHost());
      p.consume(TestData.traces("a", 1, 1));
      assertThat(sink.received().get(0).getResourceSpans(0).getResource().getAttributesCount()).isEqualTo(1);
      ecs.fail(Failure.NONE);
      boolean refreshed = RecordingConsumer.await(() -> {
        p.consume(TestData.traces("a", 1, 1));
        List<TracesData> r = sink.received();
        return r.get(r.size() - 1).getResourceSpans(0).getResource().getAttributesCount() > 1;
      }, Duration.ofSeconds(5));
      assertThat(refreshed).isTrue();
      p.shutdown(System.nanoTime());
    }
  }
}
