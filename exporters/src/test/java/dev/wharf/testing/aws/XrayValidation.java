package dev.wharf.testing.aws;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * X-Ray request checks for {@link RecordingAwsEndpoint}: PutTraceSegments carries 1..50 documents,
 * each at most 64 KB and shaped as a segment document (X-Ray developer guide, "Segment documents").
 */
public final class XrayValidation {
  public static final int MAX_DOCUMENTS = 50;
  public static final int MAX_DOCUMENT_BYTES = 64 * 1024;
  private static final Pattern ID = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern TRACE_ID = Pattern.compile("1-[0-9a-f]{8}-[0-9a-f]{24}");
  private static final Pattern ANNOTATION_KEY = Pattern.compile("[A-Za-z0-9_.]+");
  private static final Set<String> NAMESPACES = Set.of("aws", "remote", "local");

  private XrayValidation() {}

  static List<String> putTraceSegments(RecordingAwsEndpoint.Recorded r) {
    List<String> problems = new ArrayList<>();
    Object body = r.json();
    if (!(body instanceof Map<?, ?> m) || !(m.get("TraceSegmentDocuments") instanceof List<?> docs)) {
      problems.add("body has no TraceSegmentDocuments list");
      return problems;
    }
    if (docs.isEmpty() || docs.size() > MAX_DOCUMENTS) {
      problems.add(docs.size() + " documents in one call; X-Ray takes 1.." + MAX_DOCUMENTS);
    }
    for (int i = 0; i < docs.size(); i++) {
      if (!(docs.get(i) instanceof String doc)) {
        problems.add("document " + i + " is not a string");
        continue;
      }
      for (String p : segmentDocument(doc)) {
        problems.add("document " + i + ": " + p);
      }
    }
    return problems;
  }

  static List<String> putTelemetryRecords(RecordingAwsEndpoint.Recorded r) {
    Object records = Json.path(r.json(), "TelemetryRecords");
    return records instanceof List<?> ? List.of() : List.of("body has no TelemetryRecords list");
  }

  /** The problems of one segment document (empty = it has the documented shape and size). */
  public static List<String> segmentDocument(String doc) {
    List<String> p = new ArrayList<>();
    int bytes = doc.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_DOCUMENT_BYTES) {
      p.add(bytes + " bytes, over the 64 KB document limit");
    }
    Map<String, Object> s;
    try {
      s = Json.object(doc);
    } catch (RuntimeException e) {
      p.add("not a JSON object: " + e.getMessage());
      return p;
    }
    Function<String, Object> f = s::get;
    if (!(f.apply("name") instanceof String name) || name.isEmpty()) {
      p.add("name must be a non-empty string");
    } else if (name.codePointCount(0, name.length()) > 200) {
      p.add("name longer than 200 characters");
    }
    if (!(f.apply("id") instanceof String id) || !ID.matcher(id).matches()) {
      p.add("id must be 16 hex digits, got " + f.apply("id"));
    }
    if (!(f.apply("trace_id") instanceof String t) || !TRACE_ID.matcher(t).matches()) {
      p.add("trace_id must look like 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx, got " + f.apply("trace_id"));
    }
    if (!(f.apply("start_time") instanceof Number)) {
      p.add("start_time must be a number");
    }
    boolean inProgress = Boolean.TRUE.equals(f.apply("in_progress"));
    if (inProgress == s.containsKey("end_time")) {
      p.add("exactly one of end_time and in_progress=true is required");
    }
    if (s.containsKey("end_time") && !(f.apply("end_time") instanceof Number)) {
      p.add("end_time must be a number");
    }
    if (s.containsKey("type") && !"subsegment".equals(f.apply("type"))) {
      p.add("type must be subsegment when present");
    }
    if ("subsegment".equals(f.apply("type")) && !s.containsKey("parent_id")) {
      p.add("an independent subsegment needs parent_id");
    }
    if (s.containsKey("parent_id") && !(f.apply("parent_id") instanceof String pid && ID.matcher(pid).matches())) {
      p.add("parent_id must be 16 hex digits");
    }
    if (s.containsKey("namespace") && !NAMESPACES.contains(f.apply("namespace"))) {
      p.add("namespace must be aws or remote, got " + f.apply("namespace"));
    }
    for (String flag : new String[] {"fault", "error", "throttle", "in_progress"}) {
      if (s.containsKey(flag) && !(f.apply(flag) instanceof Boolean)) {
        p.add(flag + " must be a boolean");
      }
    }
    if (s.containsKey("http")) {
      Object status = Json.path(s, "http", "response", "status");
      if (status != null && !(status instanceof Long)) {
        p.add("http.response.status must be an integer");
      }
    }
    if (s.get("annotations") instanceof Map<?, ?> annotations) {
      for (Map.Entry<?, ?> e : annotations.entrySet()) {
        if (!ANNOTATION_KEY.matcher(String.valueOf(e.getKey())).matches()) {
          p.add("annotation key " + e.getKey() + " has characters X-Ray does not index");
        }
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
          p.add("annotation " + e.getKey() + " is not a string, number or boolean");
        }
      }
    } else if (s.containsKey("annotations")) {
      p.add("annotations must be an object");
    }
    if (s.containsKey("metadata") && !(s.get("metadata") instanceof Map)) {
      p.add("metadata must be an object");
    }
    if (s.containsKey("cause")) {
      Object exceptions = Json.path(s, "cause", "exceptions");
      if (exceptions instanceof List<?> list) {
        for (Object e : list) {
          if (!(Json.path(e, "id") instanceof String eid) || !ID.matcher(eid).matches()) {
            p.add("every cause exception needs a 16-hex-digit id");
          }
        }
      } else if (!(s.get("cause") instanceof String)) {
        p.add("cause must be an exception id or an object with exceptions");
      }
    }
    return p;
  }
}
