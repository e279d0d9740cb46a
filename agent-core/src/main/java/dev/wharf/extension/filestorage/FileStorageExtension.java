package dev.wharf.extension.filestorage;

import com.google.protobuf.Message;
import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.exporterhelper.PersistentSendingQueue;
import dev.wharf.exporterhelper.QueueSettings;
import dev.wharf.exporterhelper.QueueStorage;
import dev.wharf.exporterhelper.SendingQueue;
import dev.wharf.pipeline.Signal;
import dev.wharf.telemetry.Counter;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code file_storage} extension: gives exporters with {@code sending_queue.storage:
 * file_storage[/name]} a {@link PersistentSendingQueue} in {@code <directory>/exporter_<id>_<signal>}.
 * Queues stay open until this extension stops (after the exporters), so what is left in them is
 * kept for the next start.
 */
public final class FileStorageExtension implements Component, QueueStorage {
  private final ComponentContext context;
  private final FileStorageConfig config;
  private final List<PersistentSendingQueue<?>> opened = new ArrayList<>();

  FileStorageExtension(ComponentContext context, FileStorageConfig config) {
    this.context = context;
    this.config = config;
  }

  @Override
  public void start(Host host) throws IOException {
    if (config.createDirectory()) {
      create(config.directory());
      create(config.compaction().directory());
    }
    if (!Files.isDirectory(config.directory()) || !Files.isWritable(config.directory())) {
      throw new IOException("extensions." + context.id() + ".directory: " + config.directory()
          + " is not a writable directory");
    }
    if (config.compaction().cleanupOnStart()) {
      cleanup(config.directory());
    }
  }

  private void create(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Set<PosixFilePermission> perms = PosixFilePermissions.fromString(symbolic(config.directoryPermissions()));
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(perms));
    } else {
      Files.createDirectories(dir);
    }
  }

  static String symbolic(String octal) {
    String s = octal.length() == 4 ? octal.substring(1) : octal;
    StringBuilder b = new StringBuilder();
    for (char ch : s.toCharArray()) {
      int d = ch - '0';
      b.append((d & 4) != 0 ? 'r' : '-').append((d & 2) != 0 ? 'w' : '-').append((d & 1) != 0 ? 'x' : '-');
    }
    return b.toString();
  }

  /** Removes temporary files a killed compaction may have left ({@code *.tmp}). */
  private void cleanup(Path root) throws IOException {
    try (DirectoryStream<Path> queues = Files.newDirectoryStream(root)) {
      for (Path q : queues) {
        if (Files.isDirectory(q)) {
          try (DirectoryStream<Path> tmps = Files.newDirectoryStream(q, "*.tmp")) {
            for (Path t : tmps) {
              Files.deleteIfExists(t);
            }
          }
        }
      }
    }
  }

  @Override
  public <T extends Message> SendingQueue<T> openQueue(String name, Signal<T> signal, QueueSettings settings)
      throws IOException {
    String dirName = "exporter_" + sanitize(name);
    Counter corrupt = context.telemetry().counter("wharf_file_storage_corrupt_records",
        "Records of a persistent queue found corrupt or truncated and skipped.",
        "extension", context.id().toString(), "queue", name);
    FileStorageConfig.Compaction c = config.compaction();
    PersistentSendingQueue.Options options = new PersistentSendingQueue.Options(config.fsync(), config.maxSize(),
        PersistentSendingQueue.Options.defaults().segmentBytes(), config.timeout(), c.onStart(), c.onRebound(),
        c.reboundNeededThresholdMib() * 1024 * 1024, c.reboundTriggerThresholdMib() * 1024 * 1024,
        c.maxTransactionSize(), c.checkInterval());
    PersistentSendingQueue<T> q = PersistentSendingQueue.open(config.directory().resolve(dirName), signal,
        settings.queueSize(), options, context.logger(), corrupt::increment);
    context.telemetry().gauge("wharf_file_storage_bytes", "Bytes a persistent queue holds on disk.",
        q::bytesOnDisk, "extension", context.id().toString(), "queue", name);
    synchronized (opened) {
      opened.add(q);
    }
    return q;
  }

  /**
   * File-name-safe form of a queue name, as upstream: letters, digits, {@code . - _} are kept, any
   * other character (including {@code ~}) becomes {@code ~} and its code point in four hex digits.
   */
  static String sanitize(String name) {
    StringBuilder b = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> {
      if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
          || cp == '.' || cp == '-' || cp == '_') {
        b.appendCodePoint(cp);
      } else {
        b.append('~').append(String.format("%04X", cp));
      }
    });
    return b.toString();
  }

  @Override
  public void shutdown(long deadlineNanos) {
    synchronized (opened) {
      for (PersistentSendingQueue<?> q : opened) {
        q.release();
      }
      opened.clear();
    }
  }
}
