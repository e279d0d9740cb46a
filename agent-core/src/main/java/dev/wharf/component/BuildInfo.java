package dev.wharf.component;

/** Name and version of this build, for User-Agent headers and {@code --version}. */
public record BuildInfo(String command, String description, String version) {

  public static BuildInfo current() {
    String v = BuildInfo.class.getPackage().getImplementationVersion();
    return new BuildInfo("wharf", "Wharf OpenTelemetry Collector", v == null ? "0.1.0-SNAPSHOT" : v);
  }

  /** {@code wharf/0.1.0}, for User-Agent headers. */
  public String userAgent() {
    return command + "/" + version;
  }
}
