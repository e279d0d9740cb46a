package dev.wharf.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The collector's self-metrics: counters, gauges and histograms with label pairs, written in the
 * Prometheus text exposition format (0.0.4). Deliberately small: the sidecar's idle memory is
 * dominated by loaded classes, and a metrics library with its own instrumentation model costs more
 * than the few meters a collector reports. Counters are exposed with the {@code _total} suffix.
 *
 * <p>Registration is idempotent: registering the same name and labels again returns the existing
 * counter or histogram, and keeps the first gauge. A name keeps the type it was first registered
 * with; reusing it with another type is a programming error.
 */
public final class MetricRegistry {
  private enum Type {
    COUNTER("counter"),
    GAUGE("gauge"),
    HISTOGRAM("histogram");

    final String text;

    Type(String text) {
      this.text = text;
    }
  }

  /** One labelled time series: a {@link Counter}, a {@link Histogram} or a {@link DoubleSupplier}. */
  private record Series(String[] labels, Object meter) {}

  private record Family(String name, String help, Type type, Map<String, Series> series) {}

  private final String[] commonLabels;
  private final Map<String, Family> families = new ConcurrentHashMap<>();

  /** @param commonLabels label pairs every series carries (upstream: service_name, service_version) */
  public MetricRegistry(String... commonLabels) {
    this.commonLabels = sortedPairs(commonLabels);
  }

  /** A counter; exposed as {@code <name>_total}. */
  public Counter counter(String name, String help, String... labelPairs) {
    return (Counter) register(name, help, Type.COUNTER, labelPairs, new Counter());
  }

  /** A counter whose value is read from {@code value} at scrape time (e.g. process CPU seconds). */
  public void counter(String name, String help, DoubleSupplier value, String... labelPairs) {
    register(name, help, Type.COUNTER, labelPairs, value);
  }

  /** A gauge read from {@code value} at scrape time; a gauge registered before with the same labels wins. */
  public void gauge(String name, String help, DoubleSupplier value, String... labelPairs) {
    register(name, help, Type.GAUGE, labelPairs, value);
  }

  /** A histogram with the given upper bucket bounds (ascending); +Inf is implied. */
  public Histogram histogram(String name, String help, double[] bounds, String... labelPairs) {
    for (int i = 1; i < bounds.length; i++) {
      if (!(bounds[i] > bounds[i - 1])) {
        throw new IllegalArgumentException(name + ": bucket bounds must ascend: " + Arrays.toString(bounds));
      }
    }
    return (Histogram) register(name, help, Type.HISTOGRAM, labelPairs, new Histogram(bounds));
  }

  private Object register(String name, String help, Type type, String[] labelPairs, Object meter) {
    Family family = families.computeIfAbsent(name, n -> new Family(n, help, type, new ConcurrentHashMap<>()));
    if (family.type != type) {
      throw new IllegalArgumentException("metric " + name + " is a " + family.type.text + ", not a " + type.text);
    }
    String[] labels = sortedPairs(labelPairs);
    return family.series.computeIfAbsent(String.join("\u0000", labels), k -> new Series(labels, meter)).meter;
  }

  /**
   * The sum over every counter or gauge series of {@code name} whose labels include all of
   * {@code labelPairs} (0 when none); for a histogram, the sum of its observation counts.
   */
  public double value(String name, String... labelPairs) {
    Family family = families.get(name);
    if (family == null) {
      return 0;
    }
    String[] wanted = sortedPairs(labelPairs);
    double total = 0;
    for (Series s : family.series.values()) {
      if (contains(s.labels, wanted)) {
        total += read(s.meter);
      }
    }
    return total;
  }

  /** The histogram of {@code name} with exactly these labels, or null. */
  public Histogram histogram(String name, String... labelPairs) {
    Family family = families.get(name);
    if (family == null || family.type != Type.HISTOGRAM) {
      return null;
    }
    Series s = family.series.get(String.join("\u0000", sortedPairs(labelPairs)));
    return s == null ? null : (Histogram) s.meter;
  }

  /** How many series {@code name} has. */
  public int seriesCount(String name) {
    Family family = families.get(name);
    return family == null ? 0 : family.series.size();
  }

  /** Every metric in the Prometheus text format, families sorted by name, series by labels. */
  public String scrape() {
    StringBuilder out = new StringBuilder(8192);
    List<Family> sorted = new ArrayList<>(families.values());
    sorted.sort((a, b) -> exposedName(a).compareTo(exposedName(b)));
    for (Family f : sorted) {
      String name = exposedName(f);
      out.append("# HELP ").append(name).append(' ');
      escape(out, f.help, false);
      out.append('\n').append("# TYPE ").append(name).append(' ').append(f.type.text).append('\n');
      List<Series> series = new ArrayList<>(f.series.values());
      series.sort((a, b) -> Arrays.compare(a.labels, b.labels));
      for (Series s : series) {
        if (f.type == Type.HISTOGRAM) {
          writeHistogram(out, name, s.labels, (Histogram) s.meter);
        } else {
          sample(out, name, s.labels, null, number(read(s.meter)));
        }
      }
    }
    return out.toString();
  }

  private void writeHistogram(StringBuilder out, String name, String[] labels, Histogram h) {
    double[] bounds = h.bounds();
    long cumulative = 0;
    for (int i = 0; i <= bounds.length; i++) {
      cumulative += h.bucket(i);
      String le = i < bounds.length ? Double.toString(bounds[i]) : "+Inf";
      sample(out, name + "_bucket", labels, le, Long.toString(cumulative));
    }
    sample(out, name + "_count", labels, null, Long.toString(cumulative));
    sample(out, name + "_sum", labels, null, number(h.sum()));
  }

  /** One sample line; common labels merge into the series' labels in name order, {@code le} last. */
  private void sample(StringBuilder out, String name, String[] labels, String le, String value) {
    out.append(name);
    if (labels.length == 0 && commonLabels.length == 0 && le == null) {
      out.append(' ').append(value).append('\n');
      return;
    }
    out.append('{');
    int i = 0;
    int j = 0;
    boolean first = true;
    while (i < labels.length || j < commonLabels.length) {
      boolean takeSeries = j >= commonLabels.length
          || (i < labels.length && labels[i].compareTo(commonLabels[j]) <= 0);
      String[] src = takeSeries ? labels : commonLabels;
      int k = takeSeries ? i : j;
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(src[k]).append("=\"");
      escape(out, src[k + 1], true);
      out.append('"');
      if (takeSeries) {
        i += 2;
      } else {
        j += 2;
      }
    }
    if (le != null) {
      out.append(first ? "" : ",").append("le=\"").append(le).append('"');
    }
    out.append("} ").append(value).append('\n');
  }

  private static String exposedName(Family f) {
    return f.type == Type.COUNTER && !f.name.endsWith("_total") ? f.name + "_total" : f.name;
  }

  private static double read(Object meter) {
    if (meter instanceof Counter c) {
      return c.count();
    }
    if (meter instanceof Histogram h) {
      return h.count();
    }
    try {
      return ((DoubleSupplier) meter).getAsDouble();
    } catch (RuntimeException e) {
      return Double.NaN; // a failing reading must not break the whole scrape
    }
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(v);
  }

  /** Label values escape backslash, double quote and newline; help text backslash and newline. */
  private static void escape(StringBuilder out, String s, boolean quote) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '"' && quote) {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
  }

  private static boolean contains(String[] labels, String[] wanted) {
    for (int w = 0; w < wanted.length; w += 2) {
      boolean found = false;
      for (int l = 0; l < labels.length; l += 2) {
        if (labels[l].equals(wanted[w]) && labels[l + 1].equals(wanted[w + 1])) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  /** Label pairs (name, value, name, value, ...) sorted by name; duplicate names keep the last value. */
  private static String[] sortedPairs(String[] pairs) {
    if (pairs.length % 2 != 0) {
      throw new IllegalArgumentException("label pairs must come in name/value pairs: " + Arrays.toString(pairs));
    }
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      sorted.put(pairs[i], pairs[i + 1]);
    }
    String[] out = new String[sorted.size() * 2];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      out[i++] = e.getKey();
      out[i++] = e.getValue();
    }
    return out;
  }
}
