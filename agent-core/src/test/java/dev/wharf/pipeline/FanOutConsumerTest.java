package dev.wharf.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import org.junit.jupiter.api.Test;

class FanOutConsumerTest {
  private final RecordingConsumer<TracesData> a = new RecordingConsumer<>(Signal.TRACES);
  private final RecordingConsumer<TracesData> b = new RecordingConsumer<>(Signal.TRACES);
  private final TelemetryConsumer<TracesData> both = FanOutConsumer.of(List.of(a, b));

  @Test
  void everyBranchGetsTheSameData() {
    TracesData d = TestData.traces("svc", 2, 1);
    both.consume(d);
    assertThat(a.received()).containsExactly(d);
    assertThat(b.received()).containsExactly(d);
  }

  @Test
  void aRefusingBranchDoesNotStopTheOthersAndItsRefusalIsRethrown() {
    a.refuseWith(RefusedException.unavailable("queue full"));
    assertThatThrownBy(() -> both.consume(TestData.traces("svc", 1, 1)))
        .isInstanceOf(RefusedException.class).hasMessage("queue full")
        .satisfies(e -> assertThat(((RefusedException) e).retryable()).isTrue());
    assertThat(b.itemCount()).isEqualTo(1);
  }

  @Test
  void theRefusalIsPermanentIfAnyBranchRefusedPermanently() {
    a.refuseWith(RefusedException.unavailable("queue full"));
    b.refuseWith(RefusedException.permanent("bad data"));
    assertThatThrownBy(() -> both.consume(TestData.traces("svc", 1, 1)))
        .satisfies(e -> assertThat(((RefusedException) e).retryable()).isFalse());
  }

  @Test
  void countsItemsOfEverySignal() {
    assertThat(Signal.TRACES.itemCount(TestData.traces("s", 5, 1))).isEqualTo(5);
    assertThat(Signal.METRICS.itemCount(TestData.metrics("s", 4))).isEqualTo(4);
    assertThat(Signal.LOGS.itemCount(TestData.logs("s", 3))).isEqualTo(3);
    TracesData joined = Signal.TRACES.concat(List.of(TestData.traces("a", 2, 1), TestData.traces("b", 3, 2)));
    assertThat(joined.getResourceSpansCount()).isEqualTo(2);
    assertThat(Signal.TRACES.itemCount(joined)).isEqualTo(5);
    assertThat(Signal.byId("metrics")).isSameAs(Signal.METRICS);
    assertThat(Signal.byId("profiles")).isNull();
  }
}
