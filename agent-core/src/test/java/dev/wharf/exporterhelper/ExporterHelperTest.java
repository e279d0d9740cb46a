package dev.wharf.exporterhelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.component.ComponentContext;
import dev.wharf.component.ComponentKind;
import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.SelfTelemetry;
import dev.wharf.testing.RecordingConsumer;
import dev.wharf.testing.TestContexts;
import dev.wharf.testing.TestData;
import dev.wharf.testing.TestHost;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ExporterHelperTest {
  private final SelfTelemetry telemetry = SelfTelemetry.inMemory();
  private final ComponentContext ctx =
      TestContexts.context("otlp/test", ComponentKind.EXPORTER, Signal.TRACES, telemetry, Map.of());

  /** A clock that never sleeps: it records the requested waits and advances its time by them. */
  static final class FakeClock implements RetryClock {
    final List<Duration> sleeps = new ArrayList<>();
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleep(Duration d) {
      sleeps.add(d);
      now += d.toNanos();
    }
  }

  private double metric(String name) {
    return TestContexts.metric(telemetry, name, "exporter", "otlp/test");
  }

  private static ExporterSettings settings(QueueSettings q, RetrySettings r) {
    return new ExporterSettings(Duration.ofSeconds(5), q, r);
  }

  @Test
  void retriesWithExponentialBackoffUntilSuccess() {
    FakeClock clock = new FakeClock();
    AtomicInteger attempts = new AtomicInteger();
    RequestSender<TracesData> sender = (d, timeout) -> {
      assertThat(timeout).isEqualTo(Duration.ofSeconds(5));
      if (attempts.incrementAndGet() < 5) {
        throw RefusedException.unavailable("backend down");
      }
    };
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, RetrySettings.DEFAULT), sender)
        .clock(clock).random(() -> 0.5).build();
    h.consume(TestData.traces("svc", 3, 1));
    // 5s, 7.5s, 11.25s, 16.875s: interval × 1.5 each time, jitter centred (random 0.5).
    assertThat(clock.sleeps).containsExactly(Duration.ofMillis(5000), Duration.ofMillis(7500),
        Duration.ofMillis(11250), Duration.ofMillis(16875));
    assertThat(metric("otelcol_exporter_sent_spans")).isEqualTo(3);
    assertThat(metric("otelcol_exporter_send_failed_spans")).isZero();
  }

  @Test
  void backoffIsCappedByMaxIntervalAndJittered() {
    FakeClock clock = new FakeClock();
    AtomicInteger attempts = new AtomicInteger();
    RequestSender<TracesData> sender = (d, t) -> {
      if (attempts.incrementAndGet() < 8) {
        throw RefusedException.unavailable("down");
      }
    };
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, RetrySettings.DEFAULT), sender)
        .clock(clock).random(() -> 0.0).build();
    h.consume(TestData.traces("svc", 1, 1));
    // random 0 → the low end of interval × (1 ± 0.5).
    assertThat(clock.sleeps.get(0)).isEqualTo(Duration.ofMillis(2500));
    assertThat(clock.sleeps.get(6)).isEqualTo(Duration.ofSeconds(15)); // 30s cap × 0.5
  }

  @Test
  void honoursTheServerGivenDelayWhenLonger() {
    FakeClock clock = new FakeClock();
    AtomicInteger attempts = new AtomicInteger();
    RequestSender<TracesData> sender = (d, t) -> {
      if (attempts.incrementAndGet() == 1) {
        throw RefusedException.resourceExhausted("throttled", Duration.ofSeconds(42));
      }
    };
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, RetrySettings.DEFAULT), sender)
        .clock(clock).random(() -> 0.5).build();
    h.consume(TestData.traces("svc", 1, 1));
    assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(42));
  }

  @Test
  void permanentErrorsAreNotRetried() {
    FakeClock clock = new FakeClock();
    AtomicInteger attempts = new AtomicInteger();
    RequestSender<TracesData> sender = (d, t) -> {
      attempts.incrementAndGet();
      throw RefusedException.permanent("403 Forbidden");
    };
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, RetrySettings.DEFAULT), sender)
        .clock(clock).build();
    assertThatThrownBy(() -> h.consume(TestData.traces("svc", 2, 1)))
        .isInstanceOf(RefusedException.class).hasMessage("403 Forbidden");
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(clock.sleeps).isEmpty();
    assertThat(metric("otelcol_exporter_send_failed_spans")).isEqualTo(2);
  }

  @Test
  void givesUpAfterMaxElapsedTime() {
    FakeClock clock = new FakeClock();
    RequestSender<TracesData> sender = (d, t) -> {
      throw RefusedException.unavailable("down");
    };
    RetrySettings r = new RetrySettings(true, Duration.ofSeconds(5), 0, 2, Duration.ofSeconds(30), Duration.ofSeconds(60));
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, r), sender).clock(clock).build();
    assertThatThrownBy(() -> h.consume(TestData.traces("svc", 1, 1))).isInstanceOf(RefusedException.class);
    // 5 + 10 + 20 = 35s elapsed; the next wait (30s) would pass 60s.
    assertThat(clock.sleeps).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(20));
    assertThat(metric("otelcol_exporter_send_failed_spans")).isEqualTo(1);
  }

  @Test
  void partialSuccessCountsDroppedAndRetriesOnlyTheRest() {
    FakeClock clock = new FakeClock();
    List<Integer> sizes = new ArrayList<>();
    TracesData rest = TestData.traces("svc", 2, 7);
    RequestSender<TracesData> sender = (d, t) -> {
      sizes.add(Signal.TRACES.itemCount(d));
      if (sizes.size() == 1) {
        throw new PartialSendException(rest, 3, RefusedException.unavailable("some unprocessed"));
      }
    };
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES,
            settings(QueueSettings.DISABLED, RetrySettings.DEFAULT), sender).clock(clock).build();
    h.consume(TestData.traces("svc", 10, 1));
    assertThat(sizes).containsExactly(10, 2);
    assertThat(metric("otelcol_exporter_sent_spans")).isEqualTo(5 + 2);
    assertThat(metric("otelcol_exporter_send_failed_spans")).isEqualTo(3);
  }

  @Test
  void aFullQueueRefusesRetryablyAndCountsTheEnqueueFailure() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch sending = new CountDownLatch(1);
    RequestSender<TracesData> sender = (d, t) -> {
      sending.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    QueueSettings q = new QueueSettings(true, 1, 2, QueueSettings.Sizer.REQUESTS, false, false, null);
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES, settings(q, RetrySettings.DEFAULT), sender).build();
    h.start(new TestHost());
    try {
      h.consume(TestData.traces("svc", 1, 1));
      assertThat(sending.await(5, TimeUnit.SECONDS)).isTrue();
      h.consume(TestData.traces("svc", 1, 2));
      // The request being sent still holds its room: capacity 2 is now used up.
      assertThatThrownBy(() -> h.consume(TestData.traces("svc", 4, 3)))
          .isInstanceOf(RefusedException.class)
          .satisfies(e -> assertThat(((RefusedException) e).retryable()).isTrue())
          .hasMessageContaining("sending queue of exporter otlp/test is full");
      assertThat(metric("otelcol_exporter_enqueue_failed_spans")).isEqualTo(4);
      assertThat(TestContexts.metric(telemetry, "otelcol_exporter_queue_size", "exporter", "otlp/test")).isEqualTo(2);
      assertThat(TestContexts.metric(telemetry, "otelcol_exporter_queue_capacity", "exporter", "otlp/test")).isEqualTo(2);
    } finally {
      release.countDown();
      h.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
    assertThat(metric("otelcol_exporter_sent_spans")).isEqualTo(2);
  }

  @Test
  void itemsSizerCountsSpans() throws Exception {
    BlockingQueue<TracesData> gate = new ArrayBlockingQueue<>(10);
    CountDownLatch release = new CountDownLatch(1);
    RequestSender<TracesData> sender = (d, t) -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      gate.add(d);
    };
    QueueSettings q = new QueueSettings(true, 1, 10, QueueSettings.Sizer.ITEMS, false, false, null);
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES, settings(q, RetrySettings.DEFAULT), sender).build();
    h.start(new TestHost());
    h.consume(TestData.traces("svc", 6, 1));
    assertThatThrownBy(() -> h.consume(TestData.traces("svc", 5, 2))).isInstanceOf(RefusedException.class);
    h.consume(TestData.traces("svc", 4, 3));
    release.countDown();
    h.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    assertThat(gate).hasSize(2);
  }

  @Test
  void drainsTheQueueOnShutdownAndCountsWhatTheDeadlineCutOff() throws Exception {
    RecordingConsumer<TracesData> backend = new RecordingConsumer<>(Signal.TRACES);
    AtomicInteger calls = new AtomicInteger();
    RequestSender<TracesData> sender = (d, t) -> {
      if (calls.incrementAndGet() > 3) {
        throw RefusedException.unavailable("backend went away");
      }
      backend.consume(d);
    };
    QueueSettings q = new QueueSettings(true, 1, 100, QueueSettings.Sizer.REQUESTS, false, false, null);
    RetrySettings r = new RetrySettings(true, Duration.ofSeconds(5), 0, 1.5, Duration.ofSeconds(30), Duration.ZERO);
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES, settings(q, r), sender).build();
    h.start(new TestHost());
    for (int i = 0; i < 5; i++) {
      h.consume(TestData.traces("svc", 2, i));
    }
    long t0 = System.nanoTime();
    h.shutdown(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThat(backend.itemCount()).isEqualTo(6);
    // 4th request: its 5s retry would pass the deadline; 5th: never taken. Both dropped and counted.
    assertThat(h.droppedAtShutdown()).isEqualTo(4);
    assertThat(metric("otelcol_exporter_send_failed_spans")).isEqualTo(4);
    assertThatThrownBy(() -> h.consume(TestData.traces("svc", 1, 9)))
        .hasMessageContaining("shutting down");
  }

  @Test
  void waitForResultReturnsTheOutcomeToTheCaller() throws Exception {
    RequestSender<TracesData> sender = (d, t) -> {
      throw RefusedException.permanent("rejected by backend");
    };
    QueueSettings q = new QueueSettings(true, 1, 10, QueueSettings.Sizer.REQUESTS, false, true, null);
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES, settings(q, RetrySettings.DEFAULT), sender).build();
    h.start(new TestHost());
    try {
      assertThatThrownBy(() -> h.consume(TestData.traces("svc", 1, 1))).hasMessage("rejected by backend");
    } finally {
      h.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void settingsBindWithUpstreamDefaultsAndValidation() {
    ConfigProblems problems = new ConfigProblems();
    ConfigNode n = ConfigNode.of("exporters.otlp", Map.of(
        "timeout", "10s",
        "sending_queue", Map.of("num_consumers", 2, "queue_size", 0, "storage", "file_storage/q"),
        "retry_on_failure", Map.of("randomization_factor", 1.5, "max_elapsed_time", "1s")), problems);
    ExporterSettings s = ExporterSettings.parse(n, ExporterSettings.DEFAULT);
    n.checkUnknownKeys();
    assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.queue().numConsumers()).isEqualTo(2);
    assertThat(s.queue().storage()).hasToString("file_storage/q");
    assertThat(problems.list()).extracting(Object::toString).containsExactlyInAnyOrder(
        "exporters.otlp.sending_queue.queue_size: must be positive, got 0",
        "exporters.otlp.retry_on_failure.randomization_factor: must be within [0, 1], got 1.5",
        "exporters.otlp.retry_on_failure.max_elapsed_time: must be at least initial_interval when set",
        "exporters.otlp.retry_on_failure.max_elapsed_time: must be at least max_interval when set");
    ExporterSettings d = ExporterSettings.parse(ConfigNode.of("x", Map.of(), new ConfigProblems()), ExporterSettings.DEFAULT);
    assertThat(d).isEqualTo(ExporterSettings.DEFAULT);
    assertThat(d.queue()).isEqualTo(new QueueSettings(true, 10, 1000, QueueSettings.Sizer.REQUESTS, false, false, null));
    assertThat(d.retry()).isEqualTo(new RetrySettings(true, Duration.ofSeconds(5), 0.5, 1.5,
        Duration.ofSeconds(30), Duration.ofMinutes(5)));
  }

  @Test
  void aSenderThatThrowsAnErrorDoesNotStallTheQueue() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    RequestSender<TracesData> sender = (d, t) -> {
      if (calls.incrementAndGet() == 1) {
        throw new NoClassDefFoundError("some/Missing");
      }
    };
    QueueSettings q = new QueueSettings(true, 1, 10, QueueSettings.Sizer.REQUESTS, false, false, null);
    ExporterHelper<TracesData> h = ExporterHelper.builder(ctx, Signal.TRACES, settings(q, RetrySettings.DEFAULT), sender).build();
    h.start(new TestHost());
    h.consume(TestData.traces("svc", 2, 1));
    h.consume(TestData.traces("svc", 3, 2));
    h.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    assertThat(calls.get()).isEqualTo(2);
    assertThat(metric("otelcol_exporter_send_failed_spans")).isEqualTo(2);
    assertThat(metric("otelcol_exporter_sent_spans")).isEqualTo(3);
  }
}
