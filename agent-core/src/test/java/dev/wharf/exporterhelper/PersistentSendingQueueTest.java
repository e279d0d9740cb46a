package dev.wharf.exporterhelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wharf.pipeline.Signal;
import dev.wharf.testing.TestData;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentSendingQueueTest {
  private static final Logger LOG = Logger.getLogger("test");

  @TempDir
  Path dir;

  private final AtomicLong corrupt = new AtomicLong();

  private PersistentSendingQueue<TracesData> open(long capacity, PersistentSendingQueue.Options o) throws IOException {
    return PersistentSendingQueue.open(dir.resolve("q"), Signal.TRACES, capacity, o, LOG, corrupt::addAndGet);
  }

  private PersistentSendingQueue<TracesData> open(long capacity) throws IOException {
    return open(capacity, PersistentSendingQueue.Options.defaults());
  }

  private static PersistentSendingQueue.Options segmentBytes(long bytes, boolean compactOnStart) {
    PersistentSendingQueue.Options d = PersistentSendingQueue.Options.defaults();
    return new PersistentSendingQueue.Options(false, 0, bytes, d.lockTimeout(), compactOnStart, false,
        d.reboundNeededBytes(), d.reboundTriggerBytes(), d.maxTransactionSize(), d.reboundCheckInterval());
  }

  private static String service(TracesData t) {
    return t.getResourceSpans(0).getResource().getAttributes(0).getValue().getStringValue();
  }

  private static List<String> drain(SendingQueue<TracesData> q, boolean complete) throws InterruptedException {
    List<String> out = new ArrayList<>();
    SendingQueue.Entry<TracesData> e;
    while ((e = q.poll(0)) != null) {
      out.add(service(e.request()));
      if (complete) {
        e.complete();
      } else {
        e.abandon();
      }
    }
    return out;
  }

  @Test
  void acceptedRequestsSurviveAReopenInOrderAndCompletedOnesAreGone() throws Exception {
    PersistentSendingQueue<TracesData> q = open(100);
    for (int i = 0; i < 10; i++) {
      assertThat(q.offer(TestData.traces("s" + i, 2, i), 1)).isTrue();
    }
    assertThat(q.size()).isEqualTo(10);
    // Take three: complete two, leave one in flight (as if the process died while sending it).
    SendingQueue.Entry<TracesData> a = q.poll(0);
    SendingQueue.Entry<TracesData> b = q.poll(0);
    SendingQueue.Entry<TracesData> c = q.poll(0);
    assertThat(service(a.request())).isEqualTo("s0");
    assertThat(a.request()).isEqualTo(TestData.traces("s0", 2, 0));
    a.complete();
    c.complete();
    assertThat(service(b.request())).isEqualTo("s1");
    q.release();

    PersistentSendingQueue<TracesData> again = open(100);
    assertThat(again.size()).isEqualTo(8);
    List<String> left = drain(again, true);
    assertThat(left).containsExactly("s1", "s3", "s4", "s5", "s6", "s7", "s8", "s9");
    again.release();
    assertThat(open(100).size()).isZero();
    assertThat(corrupt.get()).isZero();
  }

  @Test
  void abandonedRequestsStayForTheNextStart() throws Exception {
    PersistentSendingQueue<TracesData> q = open(10);
    q.offer(TestData.traces("x", 1, 1), 1);
    q.offer(TestData.traces("y", 1, 2), 1);
    q.close();
    assertThat(q.offer(TestData.traces("z", 1, 3), 1)).isFalse();
    assertThat(drain(q, false)).containsExactly("x", "y");
    q.release();
    PersistentSendingQueue<TracesData> again = open(10);
    assertThat(drain(again, true)).containsExactly("x", "y");
  }

  @Test
  void boundedByCapacityInSizerUnitsAndByMaxSize() throws Exception {
    PersistentSendingQueue<TracesData> q = open(10);
    assertThat(q.offer(TestData.traces("a", 6, 1), 6)).isTrue();
    assertThat(q.offer(TestData.traces("b", 5, 2), 5)).isFalse();
    assertThat(q.offer(TestData.traces("c", 4, 3), 4)).isTrue();
    assertThat(q.capacity()).isEqualTo(10);
    SendingQueue.Entry<TracesData> e = q.poll(0);
    assertThat(q.offer(TestData.traces("d", 1, 4), 1)).isFalse(); // in flight still counts
    e.complete();
    assertThat(q.offer(TestData.traces("d", 5, 4), 5)).isTrue();
    q.release();

    // A request larger than the whole queue is taken when the queue is empty.
    PersistentSendingQueue<TracesData> empty = PersistentSendingQueue.open(dir.resolve("q2"), Signal.TRACES, 2,
        PersistentSendingQueue.Options.defaults(), LOG, corrupt::addAndGet);
    assertThat(empty.offer(TestData.traces("big", 50, 1), 50)).isTrue();
    assertThat(empty.offer(TestData.traces("small", 1, 2), 1)).isFalse();
    empty.release();

    PersistentSendingQueue.Options d = PersistentSendingQueue.Options.defaults();
    int one = PersistentSendingQueue.RECORD_HEADER + TestData.traces("m", 10, 1).getSerializedSize();
    PersistentSendingQueue<TracesData> bytes = PersistentSendingQueue.open(dir.resolve("q3"), Signal.TRACES,
        1000, new PersistentSendingQueue.Options(false, 2L * one + 10, d.segmentBytes(), d.lockTimeout(), false,
            false, 0, 0, 0, d.reboundCheckInterval()), LOG, corrupt::addAndGet);
    assertThat(bytes.offer(TestData.traces("m", 10, 1), 1)).isTrue();
    assertThat(bytes.offer(TestData.traces("m", 10, 2), 1)).isTrue();
    assertThat(bytes.offer(TestData.traces("m", 10, 3), 1)).isFalse();
    bytes.release();
  }

  @Test
  void truncatedTailIsDetectedReportedAndSkipped() throws Exception {
    PersistentSendingQueue<TracesData> q = open(100);
    for (int i = 0; i < 5; i++) {
      q.offer(TestData.traces("t" + i, 3, i), 1);
    }
    q.release();
    Path seg = onlySegment();
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(f.length() - 7); // a torn last write
    }
    PersistentSendingQueue<TracesData> again = open(100);
    assertThat(corrupt.get()).isEqualTo(1);
    assertThat(drain(again, true)).containsExactly("t0", "t1", "t2", "t3");
    // New data goes to a new segment, never after the garbage.
    assertThat(again.offer(TestData.traces("t5", 1, 5), 1)).isTrue();
    again.release();
    PersistentSendingQueue<TracesData> third = open(100);
    assertThat(drain(third, true)).containsExactly("t5");
  }

  @Test
  void flippedByteFailsTheChecksumAndTheRestOfThatSegmentIsSkipped() throws Exception {
    PersistentSendingQueue<TracesData> q = open(100);
    for (int i = 0; i < 4; i++) {
      q.offer(TestData.traces("f" + i, 3, i), 1);
    }
    q.release();
    Path seg = onlySegment();
    byte[] bytes = Files.readAllBytes(seg);
    int recordLen = (bytes.length - PersistentSendingQueue.SEGMENT_MAGIC.length) / 4;
    int inThird = PersistentSendingQueue.SEGMENT_MAGIC.length + 2 * recordLen + recordLen / 2;
    bytes[inThird] ^= 0x40;
    Files.write(seg, bytes);
    // A segment with garbage instead of a header is skipped as a whole.
    Files.write(dir.resolve("q").resolve("seg-00000000000000000000.wq"), "not a segment".getBytes(StandardCharsets.UTF_8));
    PersistentSendingQueue<TracesData> again = open(100);
    assertThat(corrupt.get()).isEqualTo(2);
    assertThat(drain(again, true)).containsExactly("f0", "f1");
  }

  @Test
  void corruptAckLogMeansResendingNotLosing() throws Exception {
    PersistentSendingQueue<TracesData> q = open(100);
    for (int i = 0; i < 3; i++) {
      q.offer(TestData.traces("k" + i, 1, i), 1);
    }
    q.poll(0).complete();
    q.release();
    Path acks = dir.resolve("q").resolve("acks.wq");
    byte[] b = Files.readAllBytes(acks);
    b[b.length - 1] ^= 0x01;
    Files.write(acks, b);
    PersistentSendingQueue<TracesData> again = open(100);
    assertThat(corrupt.get()).isEqualTo(1);
    assertThat(drain(again, true)).containsExactly("k0", "k1", "k2");
  }

  @Test
  void completedSegmentsAreDeletedAndDiskStaysBounded() throws Exception {
    PersistentSendingQueue<TracesData> q = open(10_000, segmentBytes(8 * 1024, false));
    TracesData one = TestData.traces("d", 10, 1);
    int record = PersistentSendingQueue.RECORD_HEADER + one.getSerializedSize();
    // Keep the first request in flight forever (a stuck send) while 2000 others pass through:
    // without compaction its segment and every later one would stay on disk.
    q.offer(TestData.traces("stuck", 10, 0), 1);
    SendingQueue.Entry<TracesData> stuck = q.poll(0);
    q.offer(TestData.traces("waiting", 10, 0), 1);
    for (int i = 0; i < 2000; i++) {
      assertThat(q.offer(one, 1)).isTrue();
      SendingQueue.Entry<TracesData> e = q.poll(0);
      if (service(e.request()).equals("waiting")) {
        e.abandon(); // keep it on disk and out of the way
        e = q.poll(0);
      }
      e.complete();
      assertThat(q.bytesOnDisk()).isLessThan(2000L * record / 4);
    }
    assertThat(q.bytesOnDisk()).isLessThan(64 * 1024);
    stuck.complete();
    q.release();
    PersistentSendingQueue<TracesData> again = open(10_000, segmentBytes(8 * 1024, true));
    assertThat(drain(again, true)).containsExactly("waiting");
    try (Stream<Path> files = Files.list(dir.resolve("q"))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("seg-")).count()).isEqualTo(1);
    }
  }

  @Test
  void compactionOnStartLeavesOneSegment() throws Exception {
    PersistentSendingQueue<TracesData> q = open(1000, segmentBytes(2048, false));
    for (int i = 0; i < 40; i++) {
      q.offer(TestData.traces("c" + i, 5, i), 1);
    }
    for (int i = 0; i < 39; i++) {
      q.poll(0).complete(); // the last stays
    }
    q.release();
    PersistentSendingQueue<TracesData> again = open(1000, segmentBytes(2048, true));
    try (Stream<Path> files = Files.list(dir.resolve("q"))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("seg-")).count()).isEqualTo(1);
    }
    assertThat(drain(again, true)).containsExactly("c39");
  }

  @Test
  void aDirectoryIsUsedByOneQueueAtATime() throws Exception {
    PersistentSendingQueue.Options d = PersistentSendingQueue.Options.defaults();
    PersistentSendingQueue.Options quick = new PersistentSendingQueue.Options(false, 0, d.segmentBytes(),
        Duration.ofMillis(50), false, false, 0, 0, 0, d.reboundCheckInterval());
    PersistentSendingQueue<TracesData> q = open(10, quick);
    assertThatThrownBy(() -> open(10, quick)).isInstanceOf(IOException.class).hasMessageContaining("in use");
    q.release();
    open(10, quick).release();
  }

  @Test
  void waitingConsumerIsWokenByAnOffer() throws Exception {
    PersistentSendingQueue<TracesData> q = open(10);
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      q.offer(TestData.traces("late", 1, 1), 1);
    });
    t.start();
    SendingQueue.Entry<TracesData> e = q.poll(TimeUnit.SECONDS.toNanos(5));
    assertThat(e).isNotNull();
    assertThat(service(e.request())).isEqualTo("late");
    e.complete();
    assertThat(q.awaitEmpty(1, TimeUnit.SECONDS)).isTrue();
    q.release();
  }

  @Test
  void everyAcceptedRequestSurvivesKillDashNine() throws Exception {
    Path qdir = dir.resolve("crash");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        PersistentQueueCrashMain.class.getName(), qdir.toString(), "200000")
        .redirectErrorStream(false).start();
    Set<String> accepted = new HashSet<>();
    Set<String> completing = new HashSet<>();
    Set<String> completed = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // Every line the child printed before it died is still read (the pipe keeps it), so the sets
    // below are exactly what the child was told.
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && System.nanoTime() < deadline) {
        if (line.startsWith("ACCEPTED ")) {
          accepted.add(line.substring(9));
        } else if (line.startsWith("COMPLETING ")) {
          completing.add(line.substring(11));
        } else if (line.startsWith("COMPLETED ")) {
          completed.add(line.substring(10));
        }
        if (accepted.size() >= 3000 && p.isAlive()) {
          // SIGKILL in the middle of writing; through the handle, which keeps our end of the pipe open.
          p.toHandle().destroyForcibly();
        }
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(accepted).hasSizeGreaterThanOrEqualTo(3000);
    assertThat(completed).isNotEmpty();

    PersistentSendingQueue<TracesData> q = PersistentSendingQueue.open(qdir, Signal.TRACES, 1_000_000,
        PersistentSendingQueue.Options.defaults(), LOG, corrupt::addAndGet);
    Set<String> recovered = new HashSet<>();
    for (String s : drain(q, true)) {
      recovered.add(s.substring("crash-".length()));
    }
    Set<String> expected = new HashSet<>(accepted);
    expected.removeAll(completing);
    assertThat(recovered).containsAll(expected); // nothing accepted and not completed is lost
    Set<String> resurrected = new HashSet<>(recovered);
    resurrected.retainAll(completed);
    assertThat(resurrected).isEmpty(); // completions written before the kill are honoured
    assertThat(corrupt.get()).isLessThanOrEqualTo(1); // at most the record being written when killed
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("q"))) {
      List<Path> segs = files.filter(p -> p.getFileName().toString().startsWith("seg-")).sorted().toList();
      assertThat(segs).hasSize(1);
      return segs.get(0);
    }
  }
}
