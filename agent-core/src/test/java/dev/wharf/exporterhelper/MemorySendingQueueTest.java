package dev.wharf.exporterhelper;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class MemorySendingQueueTest {

  @Test
  void holdsRoomUntilTheEntryCompletes() throws Exception {
    MemorySendingQueue<String> q = new MemorySendingQueue<>(3);
    assertThat(q.offer("a", 2)).isTrue();
    assertThat(q.offer("b", 2)).isFalse();
    SendingQueue.Entry<String> e = q.poll(0);
    assertThat(e.request()).isEqualTo("a");
    assertThat(q.offer("b", 2)).as("a is taken but not completed").isFalse();
    e.complete();
    e.complete(); // idempotent
    assertThat(q.size()).isZero();
    assertThat(q.offer("b", 2)).isTrue();
  }

  @Test
  void aRequestLargerThanTheQueueFitsOnlyWhenEmpty() {
    MemorySendingQueue<String> q = new MemorySendingQueue<>(10);
    assertThat(q.offer("huge", 50)).isTrue();
    assertThat(q.offer("small", 1)).isFalse();
  }

  @Test
  void putWaitsForRoomAndCloseReleasesWaiters() throws Exception {
    MemorySendingQueue<String> q = new MemorySendingQueue<>(1);
    q.offer("a", 1);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean result = new AtomicBoolean(true);
    Thread t = new Thread(() -> {
      started.countDown();
      try {
        result.set(q.put("b", 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    t.start();
    started.await();
    Thread.sleep(50);
    assertThat(t.isAlive()).isTrue();
    q.close();
    t.join(5000);
    assertThat(result.get()).isFalse();
    assertThat(q.poll(0).request()).as("what was queued is still returned after close").isEqualTo("a");
    assertThat(q.poll(TimeUnit.SECONDS.toNanos(1))).isNull();
  }
}
