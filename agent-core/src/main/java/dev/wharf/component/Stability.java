package dev.wharf.component;

/** Stability level of a component for one signal, as upstream lists them. */
public enum Stability {
  DEVELOPMENT,
  ALPHA,
  BETA,
  STABLE,
  DEPRECATED;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
