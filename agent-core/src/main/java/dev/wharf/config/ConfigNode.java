package dev.wharf.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML map being bound into a typed config. Getters take the key and the default, check the type,
 * and record any problem under the full key path (e.g. {@code exporters.otlp.sending_queue.queue_size})
 * instead of throwing, so that every problem of a config is reported at once. Every key read is
 * remembered; {@link #checkUnknownKeys()} then reports the keys nobody asked for, suggesting the
 * nearest known one.
 *
 * <p>A YAML null (as in {@code health_check:}) is the same as an absent key: the default applies.
 */
public final class ConfigNode {
  private final String path;
  private final Map<String, Object> map;
  private final ConfigProblems problems;
  private final Set<String> asked = new LinkedHashSet<>();
  private final List<ConfigNode> children = new ArrayList<>();
  private boolean opaque;

  private ConfigNode(String path, Map<String, Object> map, ConfigProblems problems) {
    this.path = path;
    this.map = map;
    this.problems = problems;
  }

  /** The node for a whole config (or a test's), collecting problems into {@code problems}. */
  public static ConfigNode root(Map<String, ?> map, ConfigProblems problems) {
    return of("", map, problems);
  }

  /** A node at {@code path}, e.g. for a component's config map found elsewhere. */
  @SuppressWarnings("unchecked")
  public static ConfigNode of(String path, Map<String, ?> map, ConfigProblems problems) {
    return new ConfigNode(path, map == null ? Map.of() : (Map<String, Object>) map, problems);
  }

  /** The full path of this node, e.g. {@code receivers.otlp}; empty for the root. */
  public String path() {
    return path;
  }

  /** The full path of {@code key} below this node. */
  public String pathOf(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public ConfigProblems problems() {
    return problems;
  }

  /** Records a problem about {@code key} of this node. */
  public void problem(String key, String message) {
    problems.add(key == null ? path : pathOf(key), message);
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  /** The keys present, in YAML order. Does not mark them as read. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(map.keySet());
  }

  /** True when the key is present with a non-null value. Marks the key as known. */
  public boolean has(String key) {
    asked.add(key);
    return map.get(key) != null;
  }

  /** The raw YAML value (Map, List, String, Number, Boolean or null), marking the key as read. */
  public Object raw(String key) {
    asked.add(key);
    return map.get(key);
  }

  /** Marks this node's keys as free-form (e.g. {@code headers}); they are not checked. */
  public ConfigNode opaque() {
    opaque = true;
    return this;
  }

  public String string(String key, String def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    problem(key, "expected a string, got " + describe(v));
    return def;
  }

  /** A string that must be present and not empty. */
  public String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isEmpty()) {
      if (!problemRecordedFor(key)) {
        problem(key, "is required");
      }
      return "";
    }
    return s;
  }

  /** A string that must be one of {@code allowed}. */
  public String oneOf(String key, String def, Collection<String> allowed) {
    String s = string(key, def);
    if (s != null && !allowed.contains(s)) {
      problem(key, "expected one of " + allowed + ", got '" + s + "'" + suggestion(s, allowed));
      return def;
    }
    return s;
  }

  public boolean bool(String key, boolean def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    problem(key, "expected true or false, got " + describe(v));
    return def;
  }

  public long longValue(String key, long def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
      Number n = (Number) v;
      if (v instanceof java.math.BigInteger bi && bi.bitLength() > 63) {
        problem(key, "number is too large: " + v);
        return def;
      }
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem(key, "expected an integer, got " + describe(v));
    return def;
  }

  public int intValue(String key, int def) {
    long l = longValue(key, def);
    if (l > Integer.MAX_VALUE || l < Integer.MIN_VALUE) {
      problem(key, "number is out of range: " + l);
      return def;
    }
    return (int) l;
  }

  /** An integer within {@code [min, max]}. */
  public int intValue(String key, int def, int min, int max) {
    int v = intValue(key, def);
    if (v < min || v > max) {
      problem(key, "must be within " + min + ".." + max + ", got " + v);
      return def;
    }
    return v;
  }

  public double doubleValue(String key, double def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    problem(key, "expected a number, got " + describe(v));
    return def;
  }

  /** A Go-style duration ({@code 200ms}, {@code 1s}, {@code 5m}); a bare 0 means zero. */
  public Duration duration(String key, Duration def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n && n.longValue() == 0 && n.doubleValue() == 0) {
      return Duration.ZERO;
    }
    if (v instanceof String s) {
      try {
        return GoDuration.parse(s);
      } catch (IllegalArgumentException e) {
        problem(key, e.getMessage());
        return def;
      }
    }
    problem(key, "expected a duration such as 200ms, 1s, 5m or 1h30m, got " + describe(v));
    return def;
  }

  /** A non-negative duration. */
  public Duration nonNegativeDuration(String key, Duration def) {
    Duration d = duration(key, def);
    if (d != null && d.isNegative()) {
      problem(key, "must not be negative, got " + GoDuration.format(d));
      return def;
    }
    return d;
  }

  /** A {@code host:port} endpoint. */
  public Endpoint endpoint(String key, Endpoint def) {
    String s = string(key, null);
    if (s == null) {
      return def;
    }
    try {
      return Endpoint.parse(s);
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return def;
    }
  }

  /** A nested map; an absent or null value gives an empty node. */
  public ConfigNode child(String key) {
    Object v = raw(key);
    Map<String, Object> m = Map.of();
    if (v instanceof Map<?, ?> mm) {
      m = stringKeys(mm);
    } else if (v != null) {
      problem(key, "expected a map, got " + describe(v));
    }
    ConfigNode c = new ConfigNode(pathOf(key), m, problems);
    children.add(c);
    return c;
  }

  public List<String> stringList(String key, List<String> def) {
    Object v = raw(key);
    if (v == null) {
      return def;
    }
    if (!(v instanceof List<?> list)) {
      problem(key, "expected a list of strings, got " + describe(v));
      return def;
    }
    List<String> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object e = list.get(i);
      if (e instanceof String || e instanceof Number || e instanceof Boolean) {
        out.add(e.toString());
      } else {
        problems.add(pathOf(key) + "[" + i + "]", "expected a string, got " + describe(e));
      }
    }
    return List.copyOf(out);
  }

  /** A list of maps, each bound as its own node ({@code key[0]}, {@code key[1]}, ...). */
  public List<ConfigNode> nodeList(String key) {
    Object v = raw(key);
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof List<?> list)) {
      problem(key, "expected a list, got " + describe(v));
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object e = list.get(i);
      String p = pathOf(key) + "[" + i + "]";
      if (e instanceof Map<?, ?> m) {
        ConfigNode c = new ConfigNode(p, stringKeys(m), problems);
        children.add(c);
        out.add(c);
      } else {
        problems.add(p, "expected a map, got " + describe(e));
      }
    }
    return out;
  }

  /** A map of scalar values, e.g. {@code headers}; keys are free-form. */
  public Map<String, String> stringMap(String key) {
    Object v = raw(key);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      problem(key, "expected a map of strings, got " + describe(v));
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      Object val = e.getValue();
      if (val == null) {
        out.put(String.valueOf(e.getKey()), "");
      } else if (val instanceof String || val instanceof Number || val instanceof Boolean) {
        out.put(String.valueOf(e.getKey()), val.toString());
      } else {
        problems.add(pathOf(key) + "." + e.getKey(), "expected a string, got " + describe(val));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Reports every key of this node and its children that no getter asked for, with a suggestion
   * when a known key is close ({@code unknown key 'endpont', did you mean 'endpoint'?}).
   */
  public void checkUnknownKeys() {
    if (opaque) {
      return;
    }
    for (String k : map.keySet()) {
      if (!asked.contains(k)) {
        problems.add(pathOf(k), "unknown key" + suggestion(k, asked));
      }
    }
    for (ConfigNode c : children) {
      c.checkUnknownKeys();
    }
  }

  /** {@code ", did you mean 'x'?"} when a candidate is within a small edit distance, else empty. */
  public static String suggestion(String given, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(given.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    int allowed = Math.max(1, Math.min(3, given.length() / 3));
    if (best != null && bestDistance <= allowed && bestDistance > 0) {
      return ", did you mean '" + best + "'?";
    }
    if (best != null && bestDistance == 0 && !best.equals(given)) {
      return ", did you mean '" + best + "'?";
    }
    return "";
  }

  /** Edit distance counting a swap of neighbours as one edit (typos like 'fats' for 'fast'). */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private boolean problemRecordedFor(String key) {
    String p = pathOf(key);
    for (ConfigProblems.Problem pr : problems.list()) {
      if (pr.path().equals(p)) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.put(String.valueOf(e.getKey()), e.getValue());
    }
    return out;
  }

  static String describe(Object v) {
    if (v instanceof Map) {
      return "a map";
    }
    if (v instanceof List) {
      return "a list";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    return String.valueOf(v);
  }
}
