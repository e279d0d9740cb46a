package dev.wharf.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The detected attributes, ready for the hot path: merging them into a resource is one pass over
 * the resource's attributes with a map lookup each, and a resource seen before (the same SDK sends
 * the same resource with every batch) is answered from a small bounded cache.
 */
final class DetectedResource {
  static final DetectedResource EMPTY = new DetectedResource(List.of(), "", true);
  private static final int CACHE_LIMIT = 256;

  private final List<KeyValue> attributes;
  private final Map<String, KeyValue> byKey = new HashMap<>();
  private final String schemaUrl;
  private final boolean override;
  private final Resource alone;
  private final Map<Resource, Resource> cache = new ConcurrentHashMap<>();

  DetectedResource(List<KeyValue> attributes, String schemaUrl, boolean override) {
    this.attributes = List.copyOf(attributes);
    this.schemaUrl = schemaUrl;
    this.override = override;
    for (KeyValue kv : this.attributes) {
      byKey.put(kv.getKey(), kv);
    }
    this.alone = Resource.newBuilder().addAllAttributes(this.attributes).build();
  }

  List<KeyValue> attributes() {
    return attributes;
  }

  boolean isEmpty() {
    return attributes.isEmpty();
  }

  /**
   * {@code r} with the detected attributes merged in: with override, detected values replace the
   * data's (keeping the key's position) and new keys are appended; without, only missing keys are
   * appended. Returns {@code r} itself when nothing changes.
   */
  Resource merge(Resource r) {
    if (attributes.isEmpty()) {
      return r;
    }
    if (r.equals(Resource.getDefaultInstance())) {
      return alone;
    }
    Resource cached = cache.get(r);
    if (cached != null) {
      return cached;
    }
    List<KeyValue> in = r.getAttributesList();
    List<KeyValue> out = new ArrayList<>(in.size() + attributes.size());
    Map<String, Boolean> seen = new HashMap<>();
    boolean changed = false;
    for (KeyValue kv : in) {
      KeyValue d = byKey.get(kv.getKey());
      if (d != null) {
        seen.put(kv.getKey(), Boolean.TRUE);
        if (override && !d.getValue().equals(kv.getValue())) {
          out.add(d);
          changed = true;
          continue;
        }
      }
      out.add(kv);
    }
    for (KeyValue d : attributes) {
      if (!seen.containsKey(d.getKey())) {
        out.add(d);
        changed = true;
      }
    }
    Resource merged = changed ? r.toBuilder().clearAttributes().addAllAttributes(out).build() : r;
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(r, merged);
    return merged;
  }

  /** Upstream's MergeSchemaURL: keep the data's URL, take the detected one only when it has none. */
  String mergeSchemaUrl(String current) {
    return current.isEmpty() ? schemaUrl : current;
  }
}
