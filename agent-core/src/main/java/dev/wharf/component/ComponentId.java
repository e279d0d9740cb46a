package dev.wharf.component;

/**
 * A component id as written in the config: {@code type} or {@code type/name}, e.g. {@code batch/traces}.
 */
public record ComponentId(String type, String name) {

  public ComponentId {
    if (type == null || type.isEmpty()) {
      throw new IllegalArgumentException("component type must not be empty");
    }
    name = name == null ? "" : name;
  }

  /** Parses {@code type[/name]}; throws IllegalArgumentException with a readable message. */
  public static ComponentId parse(String id) {
    String s = id.trim();
    int slash = s.indexOf('/');
    String type = slash < 0 ? s : s.substring(0, slash);
    String name = slash < 0 ? "" : s.substring(slash + 1);
    if (type.isEmpty()) {
      throw new IllegalArgumentException("id must start with a component type, got '" + id + "'");
    }
    if (slash >= 0 && name.isEmpty()) {
      throw new IllegalArgumentException("id must not end with '/', got '" + id + "'");
    }
    if (!type.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException(
          "component type may only contain letters, digits and '_', got '" + type + "'");
    }
    return new ComponentId(type, name);
  }

  @Override
  public String toString() {
    return name.isEmpty() ? type : type + "/" + name;
  }
}
