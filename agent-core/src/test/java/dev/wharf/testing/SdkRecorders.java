package dev.wharf.testing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** OpenTelemetry SDK exporters that keep what the SDK hands them, for comparing with what Wharf got. */
public final class SdkRecorders {
  private SdkRecorders() {}

  /** Keeps every exported span in {@link #spans}. */
  public static final class Spans implements SpanExporter {
    public final List<SpanData> spans = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Keeps every exported log record in {@link #logs}. */
  public static final class Logs implements LogRecordExporter {
    public final List<LogRecordData> logs = Collections.synchronizedList(new ArrayList<>());

    @Override
    public CompletableResultCode export(Collection<LogRecordData> batch) {
      logs.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
