package dev.wharf.component;

/** The four kinds of components, as upstream; the name is the top-level config section. */
public enum ComponentKind {
  RECEIVER("receivers"),
  PROCESSOR("processors"),
  EXPORTER("exporters"),
  EXTENSION("extensions");

  private final String section;

  ComponentKind(String section) {
    this.section = section;
  }

  /** The config section that defines components of this kind, e.g. {@code receivers}. */
  public String section() {
    return section;
  }

  /** Singular lower-case name, as in self-metric labels ({@code receiver}, {@code exporter}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
