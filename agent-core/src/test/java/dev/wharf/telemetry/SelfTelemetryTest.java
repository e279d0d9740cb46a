package dev.wharf.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.component.ComponentId;
import dev.wharf.pipeline.Signal;
import dev.wharf.testing.TestContexts;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SelfTelemetryTest {
  private final SelfTelemetry t = SelfTelemetry.inMemory();

  @Test
  void theFirstOfTwoIdenticalGaugesWinsAndDifferentLabelsAreKeptApart() {
    AtomicInteger first = new AtomicInteger(1);
    AtomicInteger second = new AtomicInteger(2);
    t.gauge("g", "d", first::get, "processor", "batch");
    t.gauge("g", "d", second::get, "processor", "batch");
    t.gauge("g", "d", second::get, "processor", "batch/2");
    assertThat(TestContexts.metric(t, "g", "processor", "batch")).isEqualTo(1);
    assertThat(TestContexts.metric(t, "g", "processor", "batch/2")).isEqualTo(2);
    assertThat(t.registry().seriesCount("g")).isEqualTo(2);
  }

  @Test
  void receiverAndExporterCountersUseUpstreamNamesPerSignal() {
    t.receiver(ComponentId.parse("otlp"), "grpc").accepted(Signal.METRICS, 5);
    t.receiver(ComponentId.parse("otlp"), "grpc").refused(Signal.LOGS, 2);
    t.exporter(ComponentId.parse("otlp/2"), Signal.TRACES).sent(3);
    assertThat(TestContexts.metric(t, "otelcol_receiver_accepted_metric_points", "receiver", "otlp",
        "transport", "grpc")).isEqualTo(5);
    assertThat(TestContexts.metric(t, "otelcol_receiver_refused_log_records", "receiver", "otlp")).isEqualTo(2);
    assertThat(TestContexts.metric(t, "otelcol_exporter_sent_spans", "exporter", "otlp/2")).isEqualTo(3);
  }
}
