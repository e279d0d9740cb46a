package dev.wharf.exporter.awsxray;

import java.util.Map;

/**
 * The two upstream feature gates of the exporter, both Beta (on) in v0.156.0:
 * {@code exporter.awsxray.skiptimestampvalidation} and {@code exporter.xray.allowDot}, read from the
 * component environment variable {@code WHARF_FEATURE_GATES}, to which the CLI appends its
 * {@code --feature-gates} ({@code -exporter.awsxray.skiptimestampvalidation,+exporter.xray.allowDot}).
 */
record FeatureGates(boolean skipTimestampValidation, boolean allowDot) {
  static final String SKIP_TIMESTAMP_VALIDATION = "exporter.awsxray.skiptimestampvalidation";
  static final String ALLOW_DOT = "exporter.xray.allowDot";
  static final String ENV = "WHARF_FEATURE_GATES";

  static FeatureGates from(Map<String, String> env) {
    boolean skip = true;
    boolean dot = true;
    String list = env.get(ENV);
    if (list != null) {
      for (String raw : list.split(",")) {
        String g = raw.trim();
        boolean on = !g.startsWith("-");
        String id = g.startsWith("-") || g.startsWith("+") ? g.substring(1) : g;
        if (id.equals(SKIP_TIMESTAMP_VALIDATION)) {
          skip = on;
        } else if (id.equals(ALLOW_DOT)) {
          dot = on;
        }
      }
    }
    return new FeatureGates(skip, dot);
  }
}
