package dev.wharf.telemetry;

import java.util.concurrent.atomic.DoubleAdder;

/** A monotonically increasing self-metric; increments are cheap and lock-free on the hot path. */
public final class Counter {
  private final DoubleAdder value = new DoubleAdder();

  Counter() {}

  public void increment() {
    value.add(1);
  }

  /** Adds {@code amount}; negative amounts are ignored (a counter never goes down). */
  public void increment(double amount) {
    if (amount > 0) {
      value.add(amount);
    }
  }

  public double count() {
    return value.sum();
  }
}
