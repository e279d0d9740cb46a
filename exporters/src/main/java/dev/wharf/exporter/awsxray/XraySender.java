package dev.wharf.exporter.awsxray;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.Host;
import dev.wharf.exporter.aws.AwsClients;
import dev.wharf.exporter.aws.AwsErrors;
import dev.wharf.exporter.aws.AwsRegionResolver;
import dev.wharf.exporterhelper.PartialSendException;
import dev.wharf.exporterhelper.RequestSender;
import dev.wharf.pipeline.RefusedException;
import dev.wharf.telemetry.Counter;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.xray.XRayClient;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsRequest;
import software.amazon.awssdk.services.xray.model.PutTraceSegmentsResponse;
import software.amazon.awssdk.services.xray.model.UnprocessedTraceSegment;

/**
 * Sends one batch of spans to X-Ray: translates every span ({@link SpanToSegment}; a span that
 * cannot be translated is dropped and counted), packs the documents into PutTraceSegments calls of
 * at most {@value #MAX_DOCUMENTS_PER_CALL} (the two documents of a local-root span always go in the
 * same call), and sends the calls one after the other. What is left when a call fails, and spans
 * whose documents X-Ray returned as retryable {@code UnprocessedTraceSegments}, go back to the
 * exporter helper as the remaining part of a {@link PartialSendException}; non-retryable unprocessed
 * documents are counted as dropped. Retries and backoff are the helper's ({@code retry_on_failure});
 * the SDK itself retries each call up to {@code max_retries} times.
 */
final class XraySender implements RequestSender<TracesData>, Component {
  static final int MAX_DOCUMENTS_PER_CALL = 50;

  private final ComponentContext context;
  private final AwsXrayConfig config;
  private final SpanToSegment translator;
  private final Logger log;
  private final Counter truncated;
  private final Counter droppedTranslation;
  private final Counter droppedUnprocessed;
  private final Counter documentsSent;
  private final XrayTelemetry telemetry;
  private volatile XRayClient client;
  private AwsClients.Resources resources;

  XraySender(ComponentContext context, AwsXrayConfig config, SpanToSegment translator) {
    this.context = context;
    this.config = config;
    this.translator = translator;
    this.log = context.logger();
    String id = context.id().toString();
    var t = context.telemetry();
    truncated = t.counter("wharf_exporter_awsxray_documents_truncated",
        "Segment documents shrunk to fit X-Ray's 64 KB document limit.", "exporter", id);
    droppedTranslation = t.counter("wharf_exporter_awsxray_spans_dropped",
        "Spans dropped by the awsxray exporter, by reason.", "exporter", id, "reason", "translation");
    droppedUnprocessed = t.counter("wharf_exporter_awsxray_spans_dropped",
        "Spans dropped by the awsxray exporter, by reason.", "exporter", id, "reason", "unprocessed");
    documentsSent = t.counter("wharf_exporter_awsxray_documents_sent",
        "Segment documents X-Ray accepted.", "exporter", id);
    telemetry = config.telemetry().enabled() ? new XrayTelemetry(context, config) : null;
  }

  /** For tests: use a ready client instead of building one at start. */
  XraySender withClient(XRayClient c) {
    this.client = c;
    return this;
  }

  @Override
  public void start(Host host) {
    if (client == null) {
      String path = "exporters." + context.id();
      AwsRegionResolver.Resolved region = new AwsRegionResolver(context.env(), Duration.ofSeconds(1))
          .resolve(config.aws().region(), config.aws().localMode(), path);
      var builder = XRayClient.builder();
      resources = AwsClients.configure(builder, config.aws(), region.region(), "XRAY", context.env());
      client = builder.build();
      log.info(() -> "X-Ray exporter uses region " + region.region() + " (from " + region.source() + ")"
          + (config.aws().endpoint().isEmpty() ? "" : ", endpoint " + config.aws().endpoint()));
    }
    if (telemetry != null) {
      telemetry.start(client);
    }
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (telemetry != null) {
      telemetry.stop();
    }
    if (resources != null) {
      client.close();
      resources.close();
    }
  }

  /** One span's place in the batch and its documents. */
  private record Translated(int resource, int scope, int span, List<SpanToSegment.Document> docs) {}

  @Override
  public void send(TracesData data, Duration timeout) {
    long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    List<Translated> spans = new ArrayList<>();
    long dropped = 0;
    String dropReason = null;
    for (int r = 0; r < data.getResourceSpansCount(); r++) {
      ResourceSpans rs = data.getResourceSpans(r);
      SpanToSegment.PreparedResource res = translator.prepare(rs.getResource());
      for (int s = 0; s < rs.getScopeSpansCount(); s++) {
        ScopeSpans ss = rs.getScopeSpans(s);
        for (int i = 0; i < ss.getSpansCount(); i++) {
          try {
            List<SpanToSegment.Document> docs = translator.translate(res, ss.getSpans(i));
            for (SpanToSegment.Document d : docs) {
              if (d.truncated()) {
                truncated.increment();
              }
            }
            spans.add(new Translated(r, s, i, docs));
          } catch (SpanToSegment.TranslationException e) {
            dropped++;
            if (dropReason == null) {
              dropReason = e.getMessage();
            }
          }
        }
      }
    }
    if (dropped > 0) {
      droppedTranslation.increment(dropped);
    }
    if (telemetry != null) {
      telemetry.received(countDocs(spans));
    }

    // Pack into calls of at most 50 documents without splitting one span's documents.
    List<int[]> calls = new ArrayList<>(); // [first span index, end span index)
    int start = 0;
    int docsInCall = 0;
    for (int i = 0; i < spans.size(); i++) {
      int n = spans.get(i).docs().size();
      if (docsInCall + n > MAX_DOCUMENTS_PER_CALL && docsInCall > 0) {
        calls.add(new int[] {start, i});
        start = i;
        docsInCall = 0;
      }
      docsInCall += n;
    }
    if (docsInCall > 0) {
      calls.add(new int[] {start, spans.size()});
    }

    BitSet retry = new BitSet(spans.size());
    long unprocessedDropped = 0;
    String unprocessedReason = null;
    RefusedException failure = null;
    for (int c = 0; c < calls.size(); c++) {
      int from = calls.get(c)[0];
      int to = calls.get(c)[1];
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        failure = RefusedException.unavailable("PutTraceSegments: the export timeout ran out after "
            + c + " of " + calls.size() + " calls");
        retry.set(from, spans.size());
        break;
      }
      List<String> docs = new ArrayList<>(MAX_DOCUMENTS_PER_CALL);
      Map<String, Integer> spanOfDoc = new HashMap<>();
      for (int i = from; i < to; i++) {
        for (SpanToSegment.Document d : spans.get(i).docs()) {
          docs.add(d.json());
          if (d.id() != null) {
            spanOfDoc.put(d.id(), i);
          }
        }
      }
      PutTraceSegmentsResponse response;
      try {
        Duration callTimeout = deadline == Long.MAX_VALUE ? null : Duration.ofNanos(left);
        response = client.putTraceSegments(PutTraceSegmentsRequest.builder()
            .traceSegmentDocuments(docs)
            .overrideConfiguration(o -> {
              if (callTimeout != null) {
                o.apiCallTimeout(callTimeout);
              }
            })
            .build());
      } catch (SdkException e) {
        failure = AwsErrors.toRefused("PutTraceSegments", e);
        if (telemetry != null) {
          telemetry.failed(e, docs.size());
        }
        retry.set(from, spans.size());
        break;
      }
      int unprocessedDocs = 0;
      BitSet rejected = new BitSet();
      for (UnprocessedTraceSegment u : response.unprocessedTraceSegments()) {
        unprocessedDocs++;
        Integer span = u.id() == null ? null : spanOfDoc.get(u.id());
        if (span == null) {
          continue; // an id we did not send: nothing to map it to
        }
        if (retryableErrorCode(u.errorCode())) {
          retry.set(span);
          if (failure == null) {
            failure = RefusedException.unavailable("PutTraceSegments: X-Ray returned unprocessed segments ("
                + u.errorCode() + ": " + u.message() + ")");
          }
        } else {
          rejected.set(span);
          if (unprocessedReason == null) {
            unprocessedReason = u.errorCode() + ": " + u.message();
          }
        }
      }
      rejected.andNot(retry); // a span with a retryable document is sent again as a whole
      unprocessedDropped += rejected.cardinality();
      documentsSent.increment(docs.size() - unprocessedDocs);
      if (telemetry != null) {
        telemetry.sent(docs.size() - unprocessedDocs, unprocessedDocs);
      }
    }
    if (unprocessedDropped > 0) {
      droppedUnprocessed.increment(unprocessedDropped);
    }

    long totalDropped = dropped + unprocessedDropped;
    if (retry.isEmpty() && totalDropped == 0) {
      return;
    }
    String why = describe(dropped, dropReason, unprocessedDropped, unprocessedReason);
    if (retry.isEmpty()) {
      throw new PartialSendException(null, totalDropped, RefusedException.invalid(why));
    }
    if (failure == null) {
      failure = RefusedException.unavailable("PutTraceSegments: unprocessed segments");
    }
    if (totalDropped == 0 && retry.cardinality() == spans.size() && spans.size() == countSpans(data)) {
      throw failure; // nothing was taken: a plain refusal
    }
    TracesData rest = subset(data, spans, retry);
    if (totalDropped > 0) {
      log.log(Level.FINE, why);
    }
    throw new PartialSendException(rest, totalDropped, new RefusedException(failure.reason(),
        failure.getMessage() + (totalDropped > 0 ? "; " + why : ""), failure.retryAfter().orElse(null), failure));
  }

  private static String describe(long dropped, String dropReason, long unprocessed, String unprocessedReason) {
    StringBuilder b = new StringBuilder();
    if (dropped > 0) {
      b.append(dropped).append(" spans could not be translated (first: ").append(dropReason).append(')');
    }
    if (unprocessed > 0) {
      if (b.length() > 0) {
        b.append("; ");
      }
      b.append(unprocessed).append(" spans were rejected by X-Ray as unprocessed (first: ")
          .append(unprocessedReason).append(')');
    }
    return b.toString();
  }

  /**
   * Whether an {@code UnprocessedTraceSegment.ErrorCode} is worth retrying: throttling, internal
   * or availability failures, timeouts, and numeric 429/5xx codes. Everything else is about the
   * document itself and would fail again.
   */
  static boolean retryableErrorCode(String code) {
    if (code == null) {
      return false;
    }
    String c = code.toLowerCase(Locale.ROOT);
    if (c.contains("throttl") || c.contains("internal") || c.contains("unavailable") || c.contains("timeout")
        || c.contains("toomanyrequests") || c.contains("limitexceeded")) {
      return true;
    }
    try {
      int n = Integer.parseInt(c.trim());
      return n == 429 || n >= 500;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static int countDocs(List<Translated> spans) {
    int n = 0;
    for (Translated t : spans) {
      n += t.docs().size();
    }
    return n;
  }

  private static int countSpans(TracesData data) {
    int n = 0;
    for (ResourceSpans rs : data.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  /** The spans marked in {@code keep}, under their original resources and scopes. */
  static TracesData subset(TracesData data, List<Translated> spans, BitSet keep) {
    TracesData.Builder out = TracesData.newBuilder();
    int lastResource = -1;
    int lastScope = -1;
    ResourceSpans.Builder rb = null;
    ScopeSpans.Builder sb = null;
    for (int i = keep.nextSetBit(0); i >= 0; i = keep.nextSetBit(i + 1)) {
      Translated t = spans.get(i);
      if (t.resource() != lastResource) {
        if (rb != null) {
          rb.addScopeSpans(sb);
          out.addResourceSpans(rb);
        }
        ResourceSpans rs = data.getResourceSpans(t.resource());
        rb = ResourceSpans.newBuilder().setResource(rs.getResource()).setSchemaUrl(rs.getSchemaUrl());
        sb = null;
        lastResource = t.resource();
        lastScope = -1;
      }
      if (t.scope() != lastScope) {
        if (sb != null) {
          rb.addScopeSpans(sb);
        }
        ScopeSpans ss = data.getResourceSpans(t.resource()).getScopeSpans(t.scope());
        sb = ScopeSpans.newBuilder().setScope(ss.getScope()).setSchemaUrl(ss.getSchemaUrl());
        lastScope = t.scope();
      }
      Span span = data.getResourceSpans(t.resource()).getScopeSpans(t.scope()).getSpans(t.span());
      sb.addSpans(span);
    }
    if (rb != null) {
      rb.addScopeSpans(sb);
      out.addResourceSpans(rb);
    }
    return out.build();
  }
}
