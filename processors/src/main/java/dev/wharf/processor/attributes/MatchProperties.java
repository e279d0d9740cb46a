package dev.wharf.processor.attributes;

import dev.wharf.pipeline.AnyValues;

import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.attraction.AttributeValues;
import dev.wharf.processor.attraction.GoRegex;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code include} or {@code exclude} block (upstream's filterconfig.MatchProperties): every
 * property given must match for the block to match. Which properties apply depends on the signal:
 * spans use services, span_names, span_kinds, attributes, resources, libraries; log records use
 * attributes, resources, libraries, log_bodies, log_severity_texts, log_severity_number; metrics
 * use metric_names and resources.
 */
final class MatchProperties {
  static final List<String> MATCH_TYPES = List.of("strict", "regexp");
  static final List<String> SPAN_KINDS = List.of(
      "SPAN_KIND_CLIENT", "SPAN_KIND_CONSUMER", "SPAN_KIND_INTERNAL", "SPAN_KIND_PRODUCER", "SPAN_KIND_SERVER");

  private final String path;
  private final boolean regexp;
  private final StringMatcher services;
  private final StringMatcher spanNames;
  private final StringMatcher spanKinds;
  private final StringMatcher logBodies;
  private final StringMatcher logSeverityTexts;
  private final StringMatcher metricNames;
  private final Integer severityMin;
  private final boolean severityMatchUndefined;
  private final List<AttributeMatch> attributes;
  private final List<AttributeMatch> resources;
  private final List<LibraryMatch> libraries;
  /** Problems that only apply to some signals: signal id -> messages. */
  private final Map<String, List<String>> signalProblems = new LinkedHashMap<>();

  private record AttributeMatch(String key, AnyValue value, GoRegex regex) {}

  private record LibraryMatch(StringMatcher name, String version) {}

  private MatchProperties(ConfigNode n) {
    path = n.path();
    String matchType = n.string("match_type", "");
    if (matchType.isEmpty()) {
      n.problem("match_type", "is required: one of " + MATCH_TYPES);
    } else if (!MATCH_TYPES.contains(matchType)) {
      n.problem("match_type", "expected one of " + MATCH_TYPES + ", got '" + matchType + "'"
          + ConfigNode.suggestion(matchType, MATCH_TYPES));
    }
    regexp = matchType.equals("regexp");
    ConfigNode re = n.child("regexp");
    re.bool("cacheenabled", false);
    re.intValue("cachemaxnumentries", 0);

    List<String> svc = n.stringList("services", List.of());
    List<String> names = n.stringList("span_names", List.of());
    List<String> kinds = n.stringList("span_kinds", List.of());
    List<String> bodies = n.stringList("log_bodies", List.of());
    List<String> sevTexts = n.stringList("log_severity_texts", List.of());
    List<String> metrics = n.stringList("metric_names", List.of());
    services = strings(n, "services", svc);
    spanNames = strings(n, "span_names", names);
    spanKinds = strings(n, "span_kinds", kinds);
    logBodies = strings(n, "log_bodies", bodies);
    logSeverityTexts = strings(n, "log_severity_texts", sevTexts);
    metricNames = strings(n, "metric_names", metrics);

    Integer min = null;
    boolean undefined = false;
    boolean hasSeverityNumber = n.has("log_severity_number");
    if (hasSeverityNumber) {
      ConfigNode s = n.child("log_severity_number");
      undefined = s.bool("match_undefined", false);
      min = severity(s);
    }
    severityMin = min;
    severityMatchUndefined = undefined;
    attributes = attributeMatches(n, "attributes");
    resources = attributeMatches(n, "resources");
    libraries = new ArrayList<>();
    for (ConfigNode l : n.nodeList("libraries")) {
      String name = l.requiredString("name");
      String version = l.has("version") ? l.string("version", "") : null;
      libraries.add(new LibraryMatch(strings(l, "name", List.of(name)), version));
    }

    // Upstream's per-signal validation (filterconfig ValidateForSpans / ValidateForLogs).
    List<String> spans = new ArrayList<>();
    if (!bodies.isEmpty()) {
      spans.add("log_bodies should not be specified for trace spans");
    }
    if (!sevTexts.isEmpty()) {
      spans.add("log_severity_texts should not be specified for trace spans");
    }
    if (hasSeverityNumber) {
      spans.add("log_severity_number should not be specified for trace spans");
    }
    if (svc.isEmpty() && names.isEmpty() && attributes.isEmpty() && libraries.isEmpty() && resources.isEmpty()
        && kinds.isEmpty()) {
      spans.add("at least one of services, span_names, span_kinds, attributes, libraries or resources "
          + "must be specified");
    }
    if (!kinds.isEmpty() && !regexp) {
      for (String k : kinds) {
        if (!SPAN_KINDS.contains(k)) {
          spans.add("span_kinds must be one of " + SPAN_KINDS + " when match_type is strict, got '" + k + "'");
        }
      }
    }
    signalProblems.put(Signal.TRACES.id(), spans);

    List<String> logs = new ArrayList<>();
    if (!svc.isEmpty() || !names.isEmpty() || !kinds.isEmpty()) {
      logs.add("services, span_names and span_kinds are not valid for log records");
    }
    if (attributes.isEmpty() && libraries.isEmpty() && resources.isEmpty() && bodies.isEmpty()
        && sevTexts.isEmpty() && !hasSeverityNumber) {
      logs.add("at least one of attributes, libraries, resources, log_bodies, log_severity_texts or "
          + "log_severity_number must be specified");
    }
    signalProblems.put(Signal.LOGS.id(), logs);

    List<String> mets = new ArrayList<>();
    if (metrics.isEmpty() && resources.isEmpty()) {
      mets.add("at least one of metric_names or resources must be specified for metrics");
    }
    if (!svc.isEmpty() || !names.isEmpty() || !kinds.isEmpty() || !bodies.isEmpty() || !sevTexts.isEmpty()
        || hasSeverityNumber || !attributes.isEmpty() || !libraries.isEmpty()) {
      mets.add("only metric_names and resources are used to match metrics; remove the other properties");
    }
    signalProblems.put(Signal.METRICS.id(), mets);
  }

  /** Binds a block; returns null when the key is absent. */
  static MatchProperties parse(ConfigNode parent, String key) {
    if (!parent.has(key)) {
      return null;
    }
    return new MatchProperties(parent.child(key));
  }

  /** Problems of this block for {@code signal}, each with its path. */
  List<String[]> problemsFor(Signal<?> signal) {
    List<String[]> out = new ArrayList<>();
    for (String m : signalProblems.getOrDefault(signal.id(), List.of())) {
      out.add(new String[] {path, m});
    }
    return out;
  }

  private StringMatcher strings(ConfigNode n, String key, List<String> items) {
    if (items.isEmpty()) {
      return null;
    }
    if (!regexp) {
      return StringMatcher.strict(items);
    }
    List<GoRegex> rs = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        rs.add(GoRegex.compile(items.get(i)));
      } catch (PatternSyntaxException e) {
        n.problems().add(n.pathOf(key) + "[" + i + "]",
            "invalid regular expression '" + items.get(i) + "': " + e.getDescription());
      }
    }
    return StringMatcher.regexp(rs);
  }

  private List<AttributeMatch> attributeMatches(ConfigNode n, String key) {
    List<AttributeMatch> out = new ArrayList<>();
    for (ConfigNode a : n.nodeList(key)) {
      String k = a.requiredString("key");
      Object raw = a.raw("value");
      AnyValue v = null;
      GoRegex r = null;
      if (raw != null) {
        if (regexp) {
          if (raw instanceof String s) {
            try {
              r = GoRegex.compile(s);
            } catch (PatternSyntaxException e) {
              a.problem("value", "invalid regular expression '" + s + "': " + e.getDescription());
            }
          } else {
            a.problem("value", "must be a string (a regular expression) when match_type is regexp");
          }
        } else {
          v = AttributeValues.fromYaml(raw);
          if (v == null) {
            a.problem("value", "unsupported value type");
          }
        }
      }
      out.add(new AttributeMatch(k, v, r));
    }
    return out;
  }

  private static final List<String> SEVERITY_NAMES = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL");

  private static Integer severity(ConfigNode s) {
    Object raw = s.raw("min");
    if (raw == null) {
      s.problem("min", "is required, e.g. INFO");
      return null;
    }
    if (raw instanceof Number num) {
      int v = num.intValue();
      if (v < 1 || v > 24) {
        s.problem("min", "must be within 1..24, got " + v);
        return null;
      }
      return v;
    }
    String text = raw.toString().trim().toUpperCase(Locale.ROOT);
    String base = text.replaceAll("[234]$", "");
    int idx = SEVERITY_NAMES.indexOf(base);
    if (idx < 0) {
      s.problem("min", "expected a severity such as TRACE, DEBUG, INFO2, WARN, ERROR or FATAL4, got '" + raw + "'");
      return null;
    }
    int offset = base.length() == text.length() ? 0 : text.charAt(text.length() - 1) - '1';
    return idx * 4 + 1 + offset;
  }

  // ---------------------------------------------------------------- matching

  boolean matchesSpan(Resource resource, InstrumentationScope scope, Span span) {
    if (services != null && !services.matches(stringAttr(resource.getAttributesList(), "service.name"))) {
      return false;
    }
    if (spanNames != null && !spanNames.matches(span.getName())) {
      return false;
    }
    if (spanKinds != null && !spanKinds.matches(span.getKind().name())) {
      return false;
    }
    return common(resource, scope, span.getAttributesList());
  }

  boolean matchesLog(Resource resource, InstrumentationScope scope, LogRecord log) {
    if (logBodies != null && !logBodies.matches(AnyValues.asString(log.getBody()))) {
      return false;
    }
    if (logSeverityTexts != null && !logSeverityTexts.matches(log.getSeverityText())) {
      return false;
    }
    if (severityMin != null) {
      int sev = log.getSeverityNumberValue();
      if (sev == 0 ? !severityMatchUndefined : sev < severityMin) {
        return false;
      }
    }
    return common(resource, scope, log.getAttributesList());
  }

  boolean matchesMetric(Resource resource, Metric metric) {
    if (metricNames != null && !metricNames.matches(metric.getName())) {
      return false;
    }
    return allMatch(resources, resource.getAttributesList());
  }

  private boolean common(Resource resource, InstrumentationScope scope, List<KeyValue> attrs) {
    if (!libraries.isEmpty()) {
      boolean any = false;
      for (LibraryMatch l : libraries) {
        if (l.name().matches(scope.getName()) && (l.version() == null || l.version().equals(scope.getVersion()))) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return allMatch(resources, resource.getAttributesList()) && allMatch(attributes, attrs);
  }

  private static boolean allMatch(List<AttributeMatch> matches, List<KeyValue> attrs) {
    for (AttributeMatch m : matches) {
      AnyValue v = find(attrs, m.key());
      if (v == null) {
        return false;
      }
      if (m.value() != null && !m.value().equals(v)) {
        return false;
      }
      if (m.regex() != null && !m.regex().matches(AnyValues.asString(v))) {
        return false;
      }
    }
    return true;
  }

  private static AnyValue find(List<KeyValue> attrs, String key) {
    for (int i = 0, n = attrs.size(); i < n; i++) {
      if (attrs.get(i).getKey().equals(key)) {
        return attrs.get(i).getValue();
      }
    }
    return null;
  }

  private static String stringAttr(List<KeyValue> attrs, String key) {
    AnyValue v = find(attrs, key);
    return v == null || !v.hasStringValue() ? "" : v.getStringValue();
  }
}
