package dev.wharf.processor.resourcedetection;

import dev.wharf.config.ConfigNode;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A detector's {@code resource_attributes.<name>.enabled} switches, over the attribute names that
 * detector knows (unknown names are config errors, as upstream's generated config rejects them).
 */
record ResourceAttributesConfig(Map<String, Boolean> enabled) {

  /** Binds {@code resource_attributes} of {@code detectorNode} with the detector's defaults. */
  static ResourceAttributesConfig parse(ConfigNode detectorNode, Map<String, Boolean> defaults) {
    Map<String, Boolean> out = new LinkedHashMap<>(defaults);
    ConfigNode ra = detectorNode.child("resource_attributes");
    for (String name : ra.keys()) {
      if (!defaults.containsKey(name)) {
        ra.problem(name, "unknown attribute; this detector sets " + defaults.keySet()
            + ConfigNode.suggestion(name, defaults.keySet()));
        ra.raw(name);
        continue;
      }
      ConfigNode attr = ra.child(name);
      out.put(name, attr.bool("enabled", defaults.get(name)));
    }
    return new ResourceAttributesConfig(Map.copyOf(out));
  }

  static ResourceAttributesConfig defaults(Map<String, Boolean> defaults) {
    return new ResourceAttributesConfig(Map.copyOf(defaults));
  }

  boolean isEnabled(String name) {
    return enabled.getOrDefault(name, false);
  }

  Set<String> names() {
    return enabled.keySet();
  }

  /** {@code attrs} without the disabled ones. */
  List<KeyValue> filter(List<KeyValue> attrs) {
    List<KeyValue> out = new ArrayList<>(attrs.size());
    for (KeyValue kv : attrs) {
      if (isEnabled(kv.getKey())) {
        out.add(kv);
      }
    }
    return out;
  }

  /** Ordered defaults map from alternating name, enabled pairs. */
  static Map<String, Boolean> defaultsOf(Object... pairs) {
    Map<String, Boolean> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Boolean) pairs[i + 1]);
    }
    return m;
  }
}
