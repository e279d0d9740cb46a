package dev.wharf.exporterhelper;

import dev.wharf.config.ConfigNode;
import java.time.Duration;

/**
 * The exporter-helper keys every network exporter shares: {@code timeout}, {@code sending_queue},
 * {@code retry_on_failure}. Exporter configs embed this record and bind it with {@link #parse}.
 */
public record ExporterSettings(Duration timeout, QueueSettings queue, RetrySettings retry) {

  /** Upstream exporterhelper defaults: 5s timeout, queue and retry enabled. */
  public static final ExporterSettings DEFAULT =
      new ExporterSettings(Duration.ofSeconds(5), QueueSettings.DEFAULT, RetrySettings.DEFAULT);

  /**
   * Binds {@code timeout}, {@code sending_queue} and {@code retry_on_failure} of an exporter node
   * over {@code defaults}.
   */
  public static ExporterSettings parse(ConfigNode exporter, ExporterSettings defaults) {
    Duration timeout = exporter.nonNegativeDuration("timeout", defaults.timeout);
    QueueSettings q = QueueSettings.parse(exporter.child("sending_queue"), defaults.queue);
    RetrySettings r = RetrySettings.parse(exporter.child("retry_on_failure"), defaults.retry);
    return new ExporterSettings(timeout, q, r);
  }
}
