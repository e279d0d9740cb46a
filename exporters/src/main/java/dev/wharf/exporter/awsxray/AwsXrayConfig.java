package dev.wharf.exporter.awsxray;

import dev.wharf.config.ConfigNode;
import dev.wharf.exporter.aws.AwsSettings;
import dev.wharf.exporterhelper.ExporterSettings;
import dev.wharf.exporterhelper.QueueSettings;
import java.util.List;

/**
 * Config of the {@code awsxray} exporter: upstream's keys and defaults (README / factory of contrib
 * v0.156.0) plus the engine's {@code timeout}, {@code sending_queue} and {@code retry_on_failure}.
 *
 * @param numWorkers upstream {@code num_workers} (8); Wharf uses it as the default number of
 *     sending-queue consumers, i.e. concurrent PutTraceSegments callers
 * @param resourceArn {@code resource_arn}, reported in X-Ray telemetry records
 */
public record AwsXrayConfig(
    AwsSettings aws,
    int numWorkers,
    String resourceArn,
    List<String> indexedAttributes,
    boolean indexAllAttributes,
    List<String> awsLogGroups,
    Telemetry telemetry,
    ExporterSettings exporter) {

  /** {@code telemetry.*}: X-Ray telemetry records (PutTelemetryRecords), off by default. */
  public record Telemetry(
      boolean enabled,
      boolean includeMetadata,
      List<String> contributors,
      String hostname,
      String instanceId,
      String resourceArn) {
    public static final Telemetry DEFAULT = new Telemetry(false, false, List.of(), "", "", "");
  }

  public static final int DEFAULT_NUM_WORKERS = 8;

  /**
   * Wharf's exporter-helper defaults for awsxray. Upstream has no queue and no exporterhelper retry
   * (a failed export goes back to the batch processor, which drops it). Wharf's goal is to lose
   * nothing that a retry can save, so the queue and retry are on by default; set
   * {@code sending_queue.enabled: false} and {@code retry_on_failure.enabled: false} for upstream's
   * behaviour. The 5 s timeout per export attempt is upstream's.
   */
  static ExporterSettings defaultExporterSettings(int numWorkers) {
    QueueSettings q = QueueSettings.DEFAULT;
    return new ExporterSettings(ExporterSettings.DEFAULT.timeout(),
        new QueueSettings(q.enabled(), numWorkers, q.queueSize(), q.sizer(), q.blockOnOverflow(),
            q.waitForResult(), q.storage()),
        ExporterSettings.DEFAULT.retry());
  }

  public static AwsXrayConfig defaults() {
    return new AwsXrayConfig(AwsSettings.DEFAULT, DEFAULT_NUM_WORKERS, "", List.of(), false, List.of(),
        Telemetry.DEFAULT, defaultExporterSettings(DEFAULT_NUM_WORKERS));
  }

  public static AwsXrayConfig parse(ConfigNode n) {
    AwsSettings aws = AwsSettings.parse(n, AwsSettings.DEFAULT);
    int workers = n.intValue("num_workers", DEFAULT_NUM_WORKERS);
    if (workers <= 0) {
      n.problem("num_workers", "must be positive, got " + workers);
      workers = DEFAULT_NUM_WORKERS;
    }
    String resourceArn = n.string("resource_arn", "");
    List<String> indexed = n.stringList("indexed_attributes", List.of());
    boolean indexAll = n.bool("index_all_attributes", false);
    List<String> logGroups = n.stringList("aws_log_groups", List.of());
    ConfigNode t = n.child("telemetry");
    Telemetry telemetry = new Telemetry(
        t.bool("enabled", false),
        t.bool("include_metadata", false),
        t.stringList("contributors", List.of()),
        t.string("hostname", ""),
        t.string("instance_id", ""),
        t.string("resource_arn", ""));
    ExporterSettings exporter = ExporterSettings.parse(n, defaultExporterSettings(workers));
    return new AwsXrayConfig(aws, workers, resourceArn, indexed, indexAll, logGroups, telemetry, exporter);
  }
}
