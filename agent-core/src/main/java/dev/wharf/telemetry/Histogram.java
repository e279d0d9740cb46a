package dev.wharf.telemetry;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/** A self-metric distribution over fixed bucket bounds, exposed as a Prometheus histogram. */
public final class Histogram {
  private final double[] bounds;
  /** Per bucket (non-cumulative); the last slot counts values above every bound. */
  private final AtomicLongArray counts;
  private final DoubleAdder sum = new DoubleAdder();

  Histogram(double[] bounds) {
    this.bounds = bounds.clone();
    this.counts = new AtomicLongArray(bounds.length + 1);
  }

  public void record(double value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts.incrementAndGet(i);
    sum.add(value);
  }

  public long count() {
    long n = 0;
    for (int i = 0; i < counts.length(); i++) {
      n += counts.get(i);
    }
    return n;
  }

  public double sum() {
    return sum.sum();
  }

  double[] bounds() {
    return bounds;
  }

  /** Count in bucket {@code i} alone (the last index is the +Inf overflow bucket). */
  long bucket(int i) {
    return counts.get(i);
  }
}
