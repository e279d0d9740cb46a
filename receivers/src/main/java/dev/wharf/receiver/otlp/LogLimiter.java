package dev.wharf.receiver.otlp;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs refusals and bad requests at most once per interval, with how many were suppressed, so that
 * a misbehaving client cannot flood the log (they are all counted in self-metrics regardless).
 */
final class LogLimiter {
  private final Logger log;
  private final long intervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong suppressed = new AtomicLong();

  LogLimiter(Logger log, long intervalNanos) {
    this.log = log;
    this.intervalNanos = intervalNanos;
  }

  void log(Level level, Supplier<String> message) {
    if (!log.isLoggable(level)) {
      return;
    }
    long now = System.nanoTime();
    long next = nextAllowed.get();
    if ((next != Long.MIN_VALUE && now - next < 0) || !nextAllowed.compareAndSet(next, now + intervalNanos)) {
      suppressed.incrementAndGet();
      return;
    }
    long skipped = suppressed.getAndSet(0);
    log.log(level, skipped == 0 ? message.get() : message.get() + " (" + skipped + " similar messages suppressed)");
  }
}
