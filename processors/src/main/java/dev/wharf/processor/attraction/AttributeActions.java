package dev.wharf.processor.attraction;

import dev.wharf.config.ConfigNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.PatternSyntaxException;

/**
 * The attribute-action engine shared by the {@code resource} and {@code attributes} processors
 * (upstream's {@code coreinternal/attraction}): an ordered list of insert / update / upsert / delete /
 * hash / extract / convert actions, validated as upstream validates them, applied in order to one
 * attribute list. Immutable and thread-safe.
 */
public final class AttributeActions {
  public static final List<String> ACTIONS =
      List.of("insert", "update", "upsert", "delete", "hash", "extract", "convert");
  public static final List<String> CONVERTED_TYPES = List.of("string", "int", "double");

  private final List<AttributeAction> actions;

  public AttributeActions(List<AttributeAction> actions) {
    this.actions = List.copyOf(actions);
  }

  public List<AttributeAction> actions() {
    return actions;
  }

  /**
   * Binds the list {@code listKey} of {@code parent} ({@code attributes} for resource,
   * {@code actions} for attributes), recording every problem under its path, e.g.
   * {@code processors.resource.attributes[2].action: expected one of [...]}. Invalid entries are left out.
   */
  public static AttributeActions parse(ConfigNode parent, String listKey) {
    List<AttributeAction> out = new ArrayList<>();
    if (!parent.has(listKey)) {
      parent.problem(listKey, "is required: a list of {key, action, ...} entries");
      return new AttributeActions(out);
    }
    List<ConfigNode> nodes = parent.nodeList(listKey);
    if (nodes.isEmpty() && parent.raw(listKey) instanceof List<?> l && l.isEmpty()) {
      parent.problem(listKey, "must contain at least one action");
    }
    for (ConfigNode n : nodes) {
      AttributeAction a = parseOne(n);
      if (a != null) {
        out.add(a);
      }
    }
    return new AttributeActions(out);
  }

  private static AttributeAction parseOne(ConfigNode n) {
    String key = n.string("key", "");
    Object rawValue = n.raw("value");
    String fromAttribute = n.string("from_attribute", "");
    String fromContext = n.string("from_context", "");
    String pattern = n.string("pattern", "");
    String convertedType = n.string("converted_type", "");
    String actionText = n.string("action", "");
    int before = n.problems().list().size();

    if (actionText.isEmpty()) {
      n.problem("action", "is required: one of " + ACTIONS);
      return null;
    }
    String action = actionText.toLowerCase(Locale.ROOT);
    if (!ACTIONS.contains(action)) {
      n.problem("action", "expected one of " + ACTIONS + ", got '" + actionText + "'"
          + ConfigNode.suggestion(action, ACTIONS));
      return null;
    }
    AttributeAction.Type type = AttributeAction.Type.valueOf(action.toUpperCase(Locale.ROOT));
    if (!fromContext.isEmpty()) {
      n.problem("from_context", "is not supported: Wharf pipelines carry no request context "
          + "(client address, metadata or auth); use value or from_attribute");
    }
    int sources = (rawValue != null ? 1 : 0) + (fromAttribute.isEmpty() ? 0 : 1) + (fromContext.isEmpty() ? 0 : 1);
    AnyValue value = null;
    GoRegex regex = null;

    switch (type) {
      case DELETE:
      case HASH:
        if (key.isEmpty() && pattern.isEmpty()) {
          n.problem("key", "at least one of key and pattern is required for action " + action);
        }
        if (rawValue != null || !fromAttribute.isEmpty()) {
          n.problem(rawValue != null ? "value" : "from_attribute", "is not used by action " + action + "; remove it");
        }
        if (!pattern.isEmpty()) {
          regex = compile(n, pattern);
        }
        notUsed(n, "converted_type", convertedType, action);
        break;
      case INSERT:
      case UPDATE:
      case UPSERT:
        requireKey(n, key);
        if (sources == 0) {
          n.problem("value", "one of value, from_attribute or from_context is required for action " + action);
        } else if (sources > 1) {
          n.problem("value", "only one of value, from_attribute and from_context may be set");
        }
        notUsed(n, "pattern", pattern, action);
        notUsed(n, "converted_type", convertedType, action);
        if (rawValue != null) {
          value = AttributeValues.fromYaml(rawValue);
          if (value == null) {
            n.problem("value", "unsupported value type " + rawValue.getClass().getSimpleName());
          }
        }
        break;
      case EXTRACT:
        requireKey(n, key);
        if (sources > 0) {
          n.problem(rawValue != null ? "value" : "from_attribute", "is not used by action extract; remove it");
        }
        notUsed(n, "converted_type", convertedType, action);
        if (pattern.isEmpty()) {
          n.problem("pattern", "is required for action extract (a regular expression with named groups)");
        } else {
          regex = compile(n, pattern);
          if (regex != null && regex.groupNames().isEmpty()) {
            n.problem("pattern", "contains no named groups such as (?P<name>...)");
          } else if (regex != null && !regex.allGroupsNamed()) {
            n.problem("pattern", "contains at least one unnamed group; name every group or make it (?:...)");
          }
        }
        break;
      case CONVERT:
        requireKey(n, key);
        if (sources > 0) {
          n.problem(rawValue != null ? "value" : "from_attribute", "is not used by action convert; remove it");
        }
        notUsed(n, "pattern", pattern, action);
        if (convertedType.isEmpty()) {
          n.problem("converted_type", "is required for action convert: one of " + CONVERTED_TYPES);
        } else if (!CONVERTED_TYPES.contains(convertedType)) {
          n.problem("converted_type", "expected one of " + CONVERTED_TYPES + ", got '" + convertedType + "'");
        }
        break;
      default:
        throw new IllegalStateException(action);
    }
    if (n.problems().list().size() != before) {
      return null;
    }
    return new AttributeAction(type, key, value, fromAttribute.isEmpty() ? null : fromAttribute, regex,
        convertedType.isEmpty() ? null : convertedType);
  }

  private static void requireKey(ConfigNode n, String key) {
    if (key.isEmpty()) {
      n.problem("key", "is required");
    }
  }

  private static void notUsed(ConfigNode n, String field, String value, String action) {
    if (!value.isEmpty()) {
      n.problem(field, "is not used by action " + action + "; remove it");
    }
  }

  private static GoRegex compile(ConfigNode n, String pattern) {
    try {
      return GoRegex.compile(pattern);
    } catch (PatternSyntaxException e) {
      n.problem("pattern", "invalid regular expression '" + pattern + "': " + e.getDescription());
      return null;
    }
  }

  /**
   * Applies every action in order to {@code attrs}. Returns {@code attrs} itself when nothing
   * changed, so callers can keep the untouched message.
   */
  public List<KeyValue> apply(List<KeyValue> attrs) {
    Attrs a = new Attrs(attrs);
    for (AttributeAction action : actions) {
      switch (action.type()) {
        case DELETE:
          a.remove(action.key());
          if (action.regex() != null) {
            a.removeMatching(action.regex());
          }
          break;
        case INSERT: {
          AnyValue v = source(action, a);
          if (v != null && a.indexOf(action.key()) < 0) {
            a.put(action.key(), v);
          }
          break;
        }
        case UPDATE: {
          AnyValue v = source(action, a);
          if (v != null && a.indexOf(action.key()) >= 0) {
            a.put(action.key(), v);
          }
          break;
        }
        case UPSERT: {
          AnyValue v = source(action, a);
          if (v != null) {
            a.put(action.key(), v);
          }
          break;
        }
        case HASH:
          hash(a, action.key());
          if (action.regex() != null) {
            for (String k : a.keysMatching(action.regex())) {
              hash(a, k);
            }
          }
          break;
        case EXTRACT:
          extract(a, action);
          break;
        case CONVERT: {
          AnyValue v = a.get(action.key());
          if (v != null) {
            AnyValue c = AttributeValues.convert(v, action.convertedType());
            if (c != null) {
              a.put(action.key(), c);
            }
          }
          break;
        }
        default:
          break;
      }
    }
    return a.result();
  }

  private static AnyValue source(AttributeAction action, Attrs a) {
    return action.value() != null ? action.value() : a.get(action.fromAttribute());
  }

  private static void hash(Attrs a, String key) {
    AnyValue v = a.get(key);
    if (v != null) {
      a.put(key, AttributeValues.hash(v));
    }
  }

  private static void extract(Attrs a, AttributeAction action) {
    AnyValue v = a.get(action.key());
    if (v == null || !v.hasStringValue()) {
      return;
    }
    Matcher m = action.regex().pattern().matcher(v.getStringValue());
    if (!m.find()) {
      return;
    }
    List<String> names = action.regex().groupNames();
    for (int i = 0; i < names.size(); i++) {
      String g = m.group("g" + (i + 1));
      a.put(names.get(i), AttributeValues.string(g == null ? "" : g));
    }
  }

  /** An attribute list being edited: copied on the first change only. */
  private static final class Attrs {
    private final List<KeyValue> original;
    private List<KeyValue> edited;

    Attrs(List<KeyValue> original) {
      this.original = original;
    }

    private List<KeyValue> view() {
      return edited != null ? edited : original;
    }

    private List<KeyValue> mutable() {
      if (edited == null) {
        edited = new ArrayList<>(original);
      }
      return edited;
    }

    int indexOf(String key) {
      List<KeyValue> l = view();
      for (int i = 0, n = l.size(); i < n; i++) {
        if (l.get(i).getKey().equals(key)) {
          return i;
        }
      }
      return -1;
    }

    AnyValue get(String key) {
      if (key == null) {
        return null;
      }
      int i = indexOf(key);
      return i < 0 ? null : view().get(i).getValue();
    }

    void put(String key, AnyValue v) {
      int i = indexOf(key);
      if (i >= 0 && view().get(i).getValue().equals(v)) {
        return;
      }
      KeyValue kv = KeyValue.newBuilder().setKey(key).setValue(v).build();
      if (i >= 0) {
        mutable().set(i, kv);
      } else {
        mutable().add(kv);
      }
    }

    void remove(String key) {
      if (key.isEmpty()) {
        return;
      }
      int i = indexOf(key);
      if (i >= 0) {
        mutable().remove(i);
      }
    }

    List<String> keysMatching(GoRegex r) {
      List<String> keys = new ArrayList<>();
      for (KeyValue kv : view()) {
        if (r.matches(kv.getKey())) {
          keys.add(kv.getKey());
        }
      }
      return keys;
    }

    void removeMatching(GoRegex r) {
      for (String k : keysMatching(r)) {
        remove(k);
      }
    }

    List<KeyValue> result() {
      return edited == null ? original : edited;
    }
  }
}
