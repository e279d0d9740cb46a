package dev.wharf.exporterhelper;

import java.time.Duration;

/** Time as the retry loop sees it; tests substitute a fake one. */
public interface RetryClock {
  RetryClock SYSTEM = new RetryClock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
      long nanos = d.toNanos();
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    }
  };

  long nanoTime();

  void sleep(Duration d) throws InterruptedException;
}
