package dev.wharf.exporter.awsxray;

import dev.wharf.component.ComponentContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.BackendConnectionErrors;
import software.amazon.awssdk.services.xray.model.PutTelemetryRecordsRequest;
import software.amazon.awssdk.services.xray.model.TelemetryRecord;

/**
 * {@code telemetry.enabled}: once a minute, a PutTelemetryRecords call with the segment counts of
 * the last minute (received, sent, rejected, backend connection errors), as the X-Ray daemon and
 * upstream's telemetry recorder do. Records that cannot be sent are kept, at most
 * {@value #MAX_PENDING}, and sent with the next call.
 */
final class XrayTelemetry {
  static final int MAX_PENDING = 30;
  private static final Duration PERIOD = Duration.ofMinutes(1);

  private final AwsXrayConfig.Telemetry settings;
  private final String resourceArn;
  private final Logger log;
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong http4xx = new AtomicLong();
  private final AtomicLong http5xx = new AtomicLong();
  private final AtomicLong other = new AtomicLong();
  private final ArrayDeque<TelemetryRecord> pending = new ArrayDeque<>();
  private ScheduledExecutorService timer;
  private XRayClient client;

  XrayTelemetry(ComponentContext context, AwsXrayConfig config) {
    this.settings = config.telemetry();
    this.resourceArn = settings.resourceArn().isEmpty() ? config.resourceArn() : settings.resourceArn();
    this.log = context.logger();
  }

  void start(XRayClient c) {
    this.client = c;
    timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "wharf-awsxray-telemetry");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(this::flush, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  void received(long documents) {
    received.addAndGet(documents);
  }

  void sent(long documents, long rejectedDocuments) {
    sent.addAndGet(documents);
    rejected.addAndGet(rejectedDocuments);
  }

  void failed(SdkException e, long documents) {
    rejected.addAndGet(documents);
    if (e instanceof AwsServiceException s) {
      if (s.statusCode() >= 500) {
        http5xx.incrementAndGet();
      } else {
        http4xx.incrementAndGet();
      }
    } else if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timed out")) {
      timeouts.incrementAndGet();
    } else {
      other.incrementAndGet();
    }
  }

  /** Builds this minute's record and sends everything pending; visible for tests. */
  synchronized void flush() {
    TelemetryRecord r = TelemetryRecord.builder()
        .timestamp(Instant.now())
        .segmentsReceivedCount((int) received.getAndSet(0))
        .segmentsSentCount((int) sent.getAndSet(0))
        .segmentsSpilloverCount(0)
        .segmentsRejectedCount((int) rejected.getAndSet(0))
        .backendConnectionErrors(BackendConnectionErrors.builder()
            .timeoutCount((int) timeouts.getAndSet(0))
            .httpCode4XXCount((int) http4xx.getAndSet(0))
            .httpCode5XXCount((int) http5xx.getAndSet(0))
            .connectionRefusedCount(0)
            .unknownHostCount(0)
            .otherCount((int) other.getAndSet(0))
            .build())
        .build();
    pending.addLast(r);
    while (pending.size() > MAX_PENDING) {
      pending.removeFirst();
    }
    List<TelemetryRecord> records = new ArrayList<>(pending);
    PutTelemetryRecordsRequest.Builder req = PutTelemetryRecordsRequest.builder().telemetryRecords(records);
    if (settings.includeMetadata()) {
      if (!settings.hostname().isEmpty()) {
        req.hostname(settings.hostname());
      }
      if (!settings.instanceId().isEmpty()) {
        req.ec2InstanceId(settings.instanceId());
      }
      if (!resourceArn.isEmpty()) {
        req.resourceARN(resourceArn);
      }
    }
    try {
      client.putTelemetryRecords(req.build());
      pending.clear();
    } catch (SdkException e) {
      log.fine(() -> "PutTelemetryRecords failed, keeping " + pending.size() + " records: " + e.getMessage());
    }
  }
}
