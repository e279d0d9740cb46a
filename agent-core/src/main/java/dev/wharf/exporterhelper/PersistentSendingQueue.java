package dev.wharf.exporterhelper;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import dev.wharf.pipeline.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * A sending queue kept in a directory, so that what it accepted survives a crash ({@code kill -9})
 * and a restart: at-least-once, a request is forgotten only when its entry is completed.
 *
 * <p>Format (docs/components/file_storage.md): append-only segment files {@code seg-<n>.wq} holding
 * records {@code [u32 length][u32 crc32c][u64 id][u64 units][payload]} (the CRC covers id, units and
 * payload; the payload is the serialized {@code TracesData}/{@code MetricsData}/{@code LogsData}),
 * and an append-only {@code acks.wq} of completed ids {@code [u64 id][u32 crc32c]}. A restart reads
 * the segments, drops acknowledged ids and queues the rest in order; a record whose length or
 * checksum is wrong (torn write, disk corruption) is reported and skipped, as is the rest of that
 * segment, and writing always continues in a new segment. A segment whose records are all
 * completed is deleted; the ack log is rewritten when it is mostly about deleted segments.
 *
 * <p>Only an index is kept in memory; requests are read back from disk when a consumer takes them.
 * The queue holds at most {@code capacity} sizer units (requests, items or bytes, as the caller
 * counts them), in flight included, and optionally at most {@code maxBytes} on disk.
 */
public final class PersistentSendingQueue<T extends Message> implements SendingQueue<T> {
  static final byte[] SEGMENT_MAGIC = "WQSEG001".getBytes(StandardCharsets.US_ASCII);
  static final byte[] ACK_MAGIC = "WQACK001".getBytes(StandardCharsets.US_ASCII);
  static final int RECORD_HEADER = 24;
  static final int ACK_RECORD = 12;
  /** Larger lengths can only come from corruption (an OTLP request is limited far below this). */
  static final int MAX_RECORD = 256 * 1024 * 1024;
  private static final String SEGMENT_PREFIX = "seg-";
  private static final String SEGMENT_SUFFIX = ".wq";
  private static final String ACKS = "acks.wq";

  /** Tuning that comes from the {@code file_storage} extension. */
  public record Options(
      boolean fsync,
      long maxBytes,
      long segmentBytes,
      Duration lockTimeout,
      boolean compactOnStart,
      boolean compactOnRebound,
      long reboundNeededBytes,
      long reboundTriggerBytes,
      long maxTransactionSize,
      Duration reboundCheckInterval) {

    public static Options defaults() {
      return new Options(false, 0, 4L * 1024 * 1024, Duration.ofSeconds(1), false, false,
          100L * 1024 * 1024, 10L * 1024 * 1024, 65536, Duration.ofSeconds(5));
    }
  }

  private static final class Segment {
    final long seq;
    final Path path;
    FileChannel channel;
    long size;
    int live;
    int inFlight;
    final List<Long> acked = new ArrayList<>();

    Segment(long seq, Path path) {
      this.seq = seq;
      this.path = path;
    }
  }

  /** Where one record lives. */
  private record Loc(long id, Segment segment, long offset, int length, long units) {
    long bytes() {
      return RECORD_HEADER + (long) length;
    }
  }

  private final Path dir;
  private final Signal<T> signal;
  private final long capacity;
  private final Options options;
  private final Logger log;
  private final LongConsumer corruptRecords;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private ArrayDeque<Loc> queued = new ArrayDeque<>();
  private Segment active;
  private FileChannel acks;
  private long acksOnDisk;
  private long nextId;
  private long used;
  private long liveBytes;
  private boolean closed;
  private boolean released;
  private boolean reboundNeeded;
  private long lastReboundCheck;
  private final FileChannel lockChannel;
  private final FileLock fileLock;

  private PersistentSendingQueue(Path dir, Signal<T> signal, long capacity, Options options, Logger log,
      LongConsumer corruptRecords, FileChannel lockChannel, FileLock fileLock) {
    this.dir = dir;
    this.signal = signal;
    this.capacity = capacity;
    this.options = options;
    this.log = log;
    this.corruptRecords = corruptRecords;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
  }

  /**
   * Opens (or recovers) the queue in {@code dir}, which is created if missing. Corrupt records are
   * logged, counted through {@code corruptRecords} and skipped; only I/O errors on the directory
   * itself (or another process holding it) fail the open.
   */
  public static <T extends Message> PersistentSendingQueue<T> open(Path dir, Signal<T> signal, long capacity,
      Options options, Logger log, LongConsumer corruptRecords) throws IOException {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    Files.createDirectories(dir);
    FileChannel lc = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock fl = lockWithin(lc, options.lockTimeout());
    if (fl == null) {
      lc.close();
      throw new IOException("the queue directory " + dir + " is in use by another process or queue (waited "
          + options.lockTimeout().toMillis() + "ms for its lock)");
    }
    PersistentSendingQueue<T> q = new PersistentSendingQueue<>(dir, signal, capacity, options, log,
        corruptRecords, lc, fl);
    try {
      q.recover();
    } catch (IOException | RuntimeException e) {
      q.release();
      throw e;
    }
    return q;
  }

  private static FileLock lockWithin(FileChannel ch, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        FileLock l = ch.tryLock();
        if (l != null) {
          return l;
        }
      } catch (OverlappingFileLockException e) {
        // held by this JVM
      }
      if (System.nanoTime() >= deadline) {
        return null;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }

  // ---- recovery -------------------------------------------------------------------------------

  private void recover() throws IOException {
    Set<Long> acked = readAcks();
    long maxSeq = 0;
    long maxId = 0;
    for (Long a : acked) {
      maxId = Math.max(maxId, a);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
      ds.forEach(files::add);
    }
    Set<Long> seen = new HashSet<>();
    for (Path f : files) {
      String name = f.getFileName().toString();
      long seq;
      try {
        seq = Long.parseLong(name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length()));
      } catch (NumberFormatException e) {
        log.warning(() -> "Ignoring unexpected file " + f + " in the queue directory");
        continue;
      }
      segments.put(seq, new Segment(seq, f));
      maxSeq = Math.max(maxSeq, seq);
    }
    for (Segment s : segments.values()) {
      maxId = Math.max(maxId, readSegment(s, acked, seen));
    }
    nextId = maxId + 1;
    active = newSegment(maxSeq + 1);
    for (Segment s : new ArrayList<>(segments.values())) {
      if (s != active && s.live == 0) {
        deleteSegment(s);
      }
    }
    if (options.compactOnStart()) {
      compact(Long.MAX_VALUE);
    }
    rewriteAcks();
    if (!queued.isEmpty()) {
      final int n = queued.size();
      log.info(() -> "Recovered " + n + " requests from the persistent queue " + dir);
    }
  }

  private Set<Long> readAcks() throws IOException {
    Set<Long> acked = new HashSet<>();
    Path p = dir.resolve(ACKS);
    if (!Files.exists(p)) {
      return acked;
    }
    byte[] all = Files.readAllBytes(p);
    ByteBuffer b = ByteBuffer.wrap(all);
    if (all.length < ACK_MAGIC.length || !startsWith(all, ACK_MAGIC)) {
      corrupt("the ack log " + p + " has no valid header; its acknowledgements are ignored"
          + " (their requests are sent again)", 1);
      return acked;
    }
    b.position(ACK_MAGIC.length);
    CRC32C crc = new CRC32C();
    while (b.remaining() >= ACK_RECORD) {
      long id = b.getLong();
      int c = b.getInt();
      crc.reset();
      crc.update(all, b.position() - ACK_RECORD, 8);
      if ((int) crc.getValue() != c) {
        final int left = b.remaining() + ACK_RECORD;
        corrupt("the ack log " + p + " is corrupt after " + acked.size() + " entries; " + left
            + " bytes ignored (their requests are sent again)", 1);
        return acked;
      }
      acked.add(id);
    }
    if (b.remaining() > 0) {
      final int left = b.remaining();
      log.warning(() -> "The ack log " + p + " ends with a torn entry (" + left + " bytes), ignored");
    }
    return acked;
  }

  /** Reads a segment's valid records into the queue; returns the largest id seen. */
  private long readSegment(Segment s, Set<Long> acked, Set<Long> seen) throws IOException {
    long maxId = 0;
    try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
      long fileSize = ch.size();
      s.size = fileSize;
      ByteBuffer magic = ByteBuffer.allocate(SEGMENT_MAGIC.length);
      readFully(ch, magic, 0);
      if (magic.position() < SEGMENT_MAGIC.length || !startsWith(magic.array(), SEGMENT_MAGIC)) {
        corrupt("the queue segment " + s.path + " has no valid header (" + fileSize + " bytes); skipped", 1);
        return 0;
      }
      long pos = SEGMENT_MAGIC.length;
      ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
      CRC32C crc = new CRC32C();
      int records = 0;
      while (pos < fileSize) {
        header.clear();
        readFully(ch, header, pos);
        if (header.position() < RECORD_HEADER) {
          corrupt("the queue segment " + s.path + " ends with a torn record header at offset " + pos
              + " after " + records + " records; the tail is skipped", 1);
          break;
        }
        header.flip();
        int length = header.getInt();
        int expected = header.getInt();
        long id = header.getLong();
        long units = header.getLong();
        if (length < 0 || length > MAX_RECORD || pos + RECORD_HEADER + length > fileSize) {
          corrupt("the queue segment " + s.path + " has a truncated or corrupt record at offset " + pos
              + " (length " + length + ") after " + records + " records; the tail is skipped", 1);
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(length);
        readFully(ch, payload, pos + RECORD_HEADER);
        crc.reset();
        crc.update(header.array(), 8, 16);
        crc.update(payload.array(), 0, length);
        if ((int) crc.getValue() != expected) {
          corrupt("the queue segment " + s.path + " has a record with a wrong checksum at offset " + pos
              + " after " + records + " records; the tail is skipped", 1);
          break;
        }
        records++;
        maxId = Math.max(maxId, id);
        if (!acked.contains(id) && seen.add(id)) {
          Loc loc = new Loc(id, s, pos, length, Math.max(0, units));
          queued.addLast(loc);
          s.live++;
          used += loc.units();
          liveBytes += loc.bytes();
        } else if (acked.contains(id)) {
          s.acked.add(id);
        }
        pos += RECORD_HEADER + length;
      }
    } catch (IOException e) {
      corrupt("the queue segment " + s.path + " cannot be read (" + e + "); skipped", 1);
    }
    if (s.live > 0) {
      s.channel = FileChannel.open(s.path, StandardOpenOption.READ);
    }
    return maxId;
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        return;
      }
      p += n;
    }
  }

  private static boolean startsWith(byte[] a, byte[] prefix) {
    if (a.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (a[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private void corrupt(String message, long records) {
    log.warning(message);
    corruptRecords.accept(records);
  }

  // ---- writing --------------------------------------------------------------------------------

  private Segment newSegment(long seq) throws IOException {
    Path p = dir.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, seq, SEGMENT_SUFFIX));
    Segment s = new Segment(seq, p);
    s.channel = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    writeFully(s.channel, ByteBuffer.wrap(SEGMENT_MAGIC), 0);
    s.size = SEGMENT_MAGIC.length;
    if (options.fsync()) {
      s.channel.force(true);
    }
    segments.put(seq, s);
    return s;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    long p = pos;
    while (b.hasRemaining()) {
      p += ch.write(b, p);
    }
  }

  /** Appends one record to the active segment, rolling to a new one when it is full. */
  private Loc append(long id, long units, ByteBuffer record) throws IOException {
    int length = record.remaining() - RECORD_HEADER;
    if (active.size > SEGMENT_MAGIC.length && active.size + record.remaining() > options.segmentBytes()) {
      Segment old = active;
      active = newSegment(old.seq + 1);
      if (old.live == 0) {
        deleteSegment(old);
      }
    }
    long offset = active.size;
    writeFully(active.channel, record, offset);
    active.size += RECORD_HEADER + length;
    if (options.fsync()) {
      active.channel.force(false);
    }
    Loc loc = new Loc(id, active, offset, length, units);
    active.live++;
    return loc;
  }

  private ByteBuffer encode(long id, long units, T request) throws IOException {
    int length = request.getSerializedSize();
    ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + length);
    b.putInt(length).putInt(0).putLong(id).putLong(units);
    CodedOutputStream out = CodedOutputStream.newInstance(b.array(), RECORD_HEADER, length);
    request.writeTo(out);
    out.checkNoSpaceLeft();
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 8, 16 + length);
    b.putInt(4, (int) crc.getValue());
    b.position(0);
    b.limit(RECORD_HEADER + length);
    return b;
  }

  @Override
  public boolean offer(T request, long size) {
    lock.lock();
    try {
      if (closed || !fits(size, RECORD_HEADER + (long) request.getSerializedSize())) {
        return false;
      }
      return add(request, size);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean put(T request, long size) throws InterruptedException {
    long bytes = RECORD_HEADER + (long) request.getSerializedSize();
    lock.lockInterruptibly();
    try {
      while (!closed && !fits(size, bytes)) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      return add(request, size);
    } finally {
      lock.unlock();
    }
  }

  // As the in-memory queue: a request larger than the whole queue is taken when the queue is empty.
  private boolean fits(long units, long bytes) {
    if (used == 0) {
      return true;
    }
    if (used + units > capacity) {
      return false;
    }
    return options.maxBytes() <= 0 || liveBytes + bytes <= options.maxBytes();
  }

  private boolean add(T request, long units) {
    if (released) {
      return false;
    }
    long id = nextId;
    try {
      ByteBuffer record = encode(id, units, request);
      Loc loc = append(id, units, record);
      nextId++;
      queued.addLast(loc);
      used += units;
      liveBytes += loc.bytes();
      notEmpty.signal();
      return true;
    } catch (IOException e) {
      log.log(Level.WARNING, "Cannot write to the persistent queue " + dir + "; the request is refused", e);
      return false;
    }
  }

  // ---- reading --------------------------------------------------------------------------------

  @Override
  public Entry<T> poll(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + Math.max(0, timeoutNanos);
    while (true) {
      Loc loc;
      lock.lockInterruptibly();
      try {
        while (queued.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (closed || left <= 0 || released) {
            return null;
          }
          notEmpty.awaitNanos(left);
        }
        loc = queued.pollFirst();
        loc.segment().inFlight++;
      } finally {
        lock.unlock();
      }
      T request = read(loc);
      if (request != null) {
        return new PersistentEntry(loc, request);
      }
      // Unreadable now although it was valid at start: forget it for good (counted), take the next.
      new PersistentEntry(loc, null).complete();
    }
  }

  private T read(Loc loc) {
    try {
      FileChannel ch = loc.segment().channel;
      ByteBuffer b = ByteBuffer.allocate(RECORD_HEADER + loc.length());
      readFully(ch, b, loc.offset());
      if (b.hasRemaining()) {
        throw new IOException("unexpected end of file");
      }
      int expected = b.getInt(4);
      CRC32C crc = new CRC32C();
      crc.update(b.array(), 8, 16 + loc.length());
      if ((int) crc.getValue() != expected || b.getLong(8) != loc.id()) {
        throw new IOException("checksum mismatch");
      }
      return signal.parse(java.util.Arrays.copyOfRange(b.array(), RECORD_HEADER, RECORD_HEADER + loc.length()));
    } catch (IOException e) {
      corrupt("Cannot read request " + loc.id() + " from " + loc.segment().path + ": " + e.getMessage()
          + "; it is dropped", 1);
      return null;
    }
  }

  private final class PersistentEntry implements Entry<T> {
    private final Loc loc;
    private final T request;
    private boolean done;

    PersistentEntry(Loc loc, T request) {
      this.loc = loc;
      this.request = request;
    }

    @Override
    public T request() {
      return request;
    }

    @Override
    public void complete() {
      lock.lock();
      try {
        if (done) {
          return;
        }
        done = true;
        Segment s = loc.segment();
        s.inFlight--;
        s.live--;
        used -= loc.units();
        liveBytes -= loc.bytes();
        if (!released) {
          try {
            writeAck(loc.id());
            s.acked.add(loc.id());
          } catch (IOException e) {
            log.log(Level.WARNING, "Cannot record completion of request " + loc.id() + " in " + dir
                + "; it may be sent again after a restart", e);
          }
          if (s.live == 0 && s != active) {
            deleteSegment(s);
          }
          maybeCompact();
        }
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void abandon() {
      lock.lock();
      try {
        if (done) {
          return;
        }
        done = true;
        // Stays on disk, unacknowledged: sent after the next start.
        loc.segment().inFlight--;
        used -= loc.units();
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void writeAck(long id) throws IOException {
    if (acks == null) {
      openAcks();
    }
    ByteBuffer b = ByteBuffer.allocate(ACK_RECORD);
    b.putLong(id);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 8);
    b.putInt((int) crc.getValue());
    b.flip();
    writeFully(acks, b, acks.size());
    acksOnDisk++;
    if (options.fsync()) {
      acks.force(false);
    }
  }

  private void openAcks() throws IOException {
    acks = FileChannel.open(dir.resolve(ACKS), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    if (acks.size() == 0) {
      writeFully(acks, ByteBuffer.wrap(ACK_MAGIC), 0);
    }
  }

  /** Replaces the ack log by one holding only acknowledgements of records still on disk. */
  private void rewriteAcks() throws IOException {
    if (acks != null) {
      acks.close();
      acks = null;
    }
    Path tmp = dir.resolve(ACKS + ".tmp");
    long n = 0;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(8192);
      b.put(ACK_MAGIC);
      CRC32C crc = new CRC32C();
      long pos = 0;
      for (Segment s : segments.values()) {
        for (long id : s.acked) {
          if (b.remaining() < ACK_RECORD) {
            b.flip();
            writeFully(ch, b, pos);
            pos += b.limit();
            b.clear();
          }
          int start = b.position();
          b.putLong(id);
          crc.reset();
          crc.update(b.array(), start, 8);
          b.putInt((int) crc.getValue());
          n++;
        }
      }
      b.flip();
      writeFully(ch, b, pos);
      ch.force(true);
    }
    try {
      Files.move(tmp, dir.resolve(ACKS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(ACKS), StandardCopyOption.REPLACE_EXISTING);
    }
    acksOnDisk = n;
    openAcks();
  }

  private void deleteSegment(Segment s) {
    if (s.inFlight > 0) {
      return;
    }
    segments.remove(s.seq);
    try {
      if (s.channel != null) {
        s.channel.close();
      }
      Files.deleteIfExists(s.path);
    } catch (IOException e) {
      log.log(Level.WARNING, "Cannot delete the finished queue segment " + s.path, e);
    }
  }

  private long diskBytes() {
    long total = 0;
    for (Segment s : segments.values()) {
      total += s.size;
    }
    return total + acksOnDisk * ACK_RECORD;
  }

  private void maybeCompact() {
    // The ack log only needs entries of segments still on disk.
    long relevant = 0;
    for (Segment s : segments.values()) {
      relevant += s.acked.size();
    }
    if (acksOnDisk > 4096 && acksOnDisk > 2 * relevant) {
      try {
        rewriteAcks();
      } catch (IOException e) {
        log.log(Level.WARNING, "Cannot compact the ack log of " + dir, e);
      }
    }
    // Whatever the settings, garbage on disk may not outgrow what is live by more than two
    // segments: then the waiting records are moved to the active segment and old ones deleted.
    // Each byte moved was matched by at least one byte of garbage, so the cost stays proportional.
    long disk = diskBytes();
    if (disk > 2 * liveBytes + 2 * options.segmentBytes()) {
      try {
        compact(Long.MAX_VALUE);
        rewriteAcks();
      } catch (IOException e) {
        log.log(Level.WARNING, "Cannot compact the persistent queue " + dir, e);
      }
      return;
    }
    if (!options.compactOnRebound()) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastReboundCheck < options.reboundCheckInterval().toNanos()) {
      return;
    }
    lastReboundCheck = now;
    if (disk > options.reboundNeededBytes()) {
      reboundNeeded = true;
    }
    if (reboundNeeded && liveBytes < options.reboundTriggerBytes()) {
      reboundNeeded = false;
      try {
        compact(options.maxTransactionSize() <= 0 ? Long.MAX_VALUE : options.maxTransactionSize());
        rewriteAcks();
      } catch (IOException e) {
        log.log(Level.WARNING, "Rebound compaction of " + dir + " failed", e);
      }
    }
  }

  /**
   * Moves up to {@code limit} waiting records out of older segments into the active one (same ids,
   * so a crash half-way only leaves duplicates that recovery drops) and deletes the segments left
   * without live records.
   */
  private void compact(long limit) throws IOException {
    long moved = 0;
    ArrayDeque<Loc> next = new ArrayDeque<>(queued.size());
    for (Loc loc : queued) {
      if (loc.segment() != active && moved < limit) {
        ByteBuffer b = ByteBuffer.allocate((int) loc.bytes());
        readFully(loc.segment().channel, b, loc.offset());
        b.flip();
        Segment from = loc.segment();
        Loc copy = append(loc.id(), loc.units(), b);
        from.live--;
        next.addLast(copy);
        moved++;
      } else {
        next.addLast(loc);
      }
    }
    queued = next;
    for (Segment s : new ArrayList<>(segments.values())) {
      if (s != active && s.live == 0) {
        deleteSegment(s);
      }
    }
    if (moved > 0) {
      final long m = moved;
      log.info(() -> "Compacted the persistent queue " + dir + ": moved " + m + " waiting requests");
    }
  }

  // ---- state ----------------------------------------------------------------------------------

  @Override
  public long size() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long capacity() {
    return capacity;
  }

  @Override
  public boolean persistent() {
    return true;
  }

  /** Requests waiting on disk (not taken by a consumer). */
  public int waiting() {
    lock.lock();
    try {
      return queued.size();
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of all segment files and the ack log. */
  public long bytesOnDisk() {
    lock.lock();
    try {
      return diskBytes();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes the files and releases the directory lock (the storage extension calls it when it stops,
   * after the exporters). Everything not completed stays for the next start.
   */
  public void release() {
    lock.lock();
    try {
      if (released) {
        return;
      }
      closed = true;
      released = true;
      notEmpty.signalAll();
      notFull.signalAll();
      for (Segment s : segments.values()) {
        closeQuietly(s.channel);
      }
      closeQuietly(acks);
      try {
        fileLock.release();
      } catch (IOException e) {
        // closing the channel releases it too
      }
      closeQuietly(lockChannel);
    } finally {
      lock.unlock();
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // nothing left to do
      }
    }
  }

  /** Waits until nothing is waiting or in flight, or the timeout passes (tests). */
  boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (size() > 0) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public String toString() {
    return "persistent queue " + dir;
  }

}
