package dev.wharf.exporterhelper;

import java.time.Duration;

/**
 * The one thing a network exporter implements: send this one request, synchronously, on a queue
 * consumer thread. The exporter helper does queueing, retries, backoff, timeouts and self-metrics.
 *
 * <p>Outcome:
 * <ul>
 *   <li>return normally: the backend took everything;
 *   <li>throw {@link dev.wharf.pipeline.RefusedException}: nothing was taken; retried if retryable,
 *       honouring its {@code retryAfter};
 *   <li>throw {@link PartialSendException}: part was taken; the rest is retried or dropped as it says;
 *   <li>any other RuntimeException is treated as retryable (a transport failure).
 * </ul>
 */
@FunctionalInterface
public interface RequestSender<T> {

  /**
   * @param timeout how long this attempt may take ({@code Duration.ZERO} = no limit); the sender
   *     applies it to its client call
   */
  void send(T data, Duration timeout);
}
