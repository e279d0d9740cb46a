package dev.wharf.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code system} detector: {@code host.name} from the first {@code hostname_sources} entry that
 * works ({@code dns}: the fully qualified name; {@code os}: the kernel's host name; {@code cname}:
 * the canonical name of the OS host name; {@code lookup}: reverse lookup of the host's addresses)
 * and {@code os.type}; optional (disabled by default) {@code host.id}, {@code host.arch},
 * {@code os.description}, {@code host.ip}, {@code host.mac} and {@code host.cpu.*}.
 */
final class SystemDetector implements Detector {
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.9.0";
  static final List<String> HOSTNAME_SOURCES = List.of("dns", "os", "cname", "lookup");

  static final Map<String, Boolean> DEFAULTS = ResourceAttributesConfig.defaultsOf(
      "host.name", true, "host.id", false, "os.description", false, "os.type", true, "host.arch", false,
      "host.ip", false, "host.mac", false, "host.cpu.vendor.id", false, "host.cpu.family", false,
      "host.cpu.model.id", false, "host.cpu.model.name", false, "host.cpu.stepping", false,
      "host.cpu.cache.l2.size", false);

  /** The system detector's config block. */
  record Config(List<String> hostnameSources, ResourceAttributesConfig attributes) {}

  /** Where host facts come from; replaced in tests. */
  interface Host {
    String osHostname() throws IOException;

    String fqdn() throws IOException;

    String canonicalName(String host) throws IOException;

    String reverseLookup() throws IOException;

    String osName();

    String osVersion();

    String osArch();

    String machineId();

    List<String> ips();

    List<String> macs();

    Map<String, String> cpuInfo();
  }

  private final Config config;
  private final Host host;
  private final Logger log;

  SystemDetector(Config config, Host host, Logger log) {
    this.config = config;
    this.host = host;
    this.log = log;
  }

  @Override
  public String type() {
    return "system";
  }

  @Override
  public Detected detect(long deadlineNanos) throws DetectionException {
    ResourceAttributesConfig ra = config.attributes();
    List<KeyValue> out = new ArrayList<>();
    if (ra.isEnabled("host.name")) {
      out.add(str("host.name", hostname()));
    }
    if (ra.isEnabled("host.id")) {
      String id = host.machineId();
      if (id != null && !id.isEmpty()) {
        out.add(str("host.id", id));
      }
    }
    if (ra.isEnabled("os.description")) {
      out.add(str("os.description", (host.osName() + " " + host.osVersion()).trim()));
    }
    if (ra.isEnabled("os.type")) {
      out.add(str("os.type", osType(host.osName())));
    }
    if (ra.isEnabled("host.arch")) {
      out.add(str("host.arch", arch(host.osArch())));
    }
    if (ra.isEnabled("host.ip")) {
      out.add(strings("host.ip", host.ips()));
    }
    if (ra.isEnabled("host.mac")) {
      out.add(strings("host.mac", host.macs()));
    }
    boolean anyCpu = ra.names().stream().anyMatch(n -> n.startsWith("host.cpu.") && ra.isEnabled(n));
    Map<String, String> cpu = anyCpu ? host.cpuInfo() : Map.of();
    cpuAttr(out, ra, "host.cpu.vendor.id", cpu.get("vendor_id"));
    cpuAttr(out, ra, "host.cpu.family", cpu.get("cpu family"));
    cpuAttr(out, ra, "host.cpu.model.id", cpu.get("model"));
    cpuAttr(out, ra, "host.cpu.model.name", cpu.get("model name"));
    cpuAttr(out, ra, "host.cpu.stepping", cpu.get("stepping"));
    if (ra.isEnabled("host.cpu.cache.l2.size") && cpu.get("cache size") != null) {
      String[] parts = cpu.get("cache size").trim().split("\\s+");
      try {
        long kb = Long.parseLong(parts[0]);
        out.add(KeyValue.newBuilder().setKey("host.cpu.cache.l2.size")
            .setValue(AnyValue.newBuilder().setIntValue(kb * 1024)).build());
      } catch (NumberFormatException e) {
        log.log(Level.FINE, "system detector: unreadable cpu cache size {0}", cpu.get("cache size"));
      }
    }
    return new Detected(out, SCHEMA_URL);
  }

  private String hostname() throws DetectionException {
    List<String> errors = new ArrayList<>();
    for (String source : config.hostnameSources()) {
      try {
        String h;
        switch (source) {
          case "dns":
            h = host.fqdn();
            break;
          case "os":
            h = host.osHostname();
            break;
          case "cname":
            h = host.canonicalName(host.osHostname());
            break;
          default:
            h = host.reverseLookup();
        }
        if (h != null && !h.isBlank()) {
          return h.trim();
        }
        errors.add(source + ": empty");
      } catch (IOException | RuntimeException e) {
        errors.add(source + ": " + e.getMessage());
        log.log(Level.FINE, () -> "system detector: hostname source " + source + " failed: " + e.getMessage());
      }
    }
    throw new DetectionException("failed getting host name from " + config.hostnameSources() + ": " + errors, true);
  }

  private static void cpuAttr(List<KeyValue> out, ResourceAttributesConfig ra, String key, String v) {
    if (ra.isEnabled(key) && v != null) {
      out.add(str(key, v.trim()));
    }
  }

  /** Go's GOOS names, as upstream reports {@code os.type}. */
  static String osType(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "windows";
    }
    if (n.startsWith("mac") || n.startsWith("darwin")) {
      return "darwin";
    }
    if (n.startsWith("sunos") || n.startsWith("solaris")) {
      return "solaris";
    }
    if (n.startsWith("aix")) {
      return "aix";
    }
    return n.replace(" ", "");
  }

  /** Semantic-conventions host.arch values. */
  static String arch(String osArch) {
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return "amd64";
      case "aarch64":
      case "arm64":
        return "arm64";
      case "x86":
      case "i386":
      case "i686":
        return "x86";
      case "ppc64":
        return "ppc64";
      case "ppc64le":
        return "ppc64le";
      case "s390x":
        return "s390x";
      default:
        return osArch;
    }
  }

  private static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static KeyValue strings(String k, List<String> vs) {
    ArrayValue.Builder a = ArrayValue.newBuilder();
    for (String v : vs) {
      a.addValues(AnyValue.newBuilder().setStringValue(v));
    }
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setArrayValue(a)).build();
  }

  /** The real host, read through the JDK and Linux's /proc and /etc. */
  static final class RealHost implements Host {
    @Override
    public String osHostname() throws IOException {
      Path p = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(p)) {
        String h = Files.readString(p).trim();
        if (!h.isEmpty()) {
          return h;
        }
      }
      return InetAddress.getLocalHost().getHostName();
    }

    @Override
    public String fqdn() throws IOException {
      String h = osHostname();
      String c = InetAddress.getByName(h).getCanonicalHostName();
      // The JDK answers with the address itself when no name is found; then the OS name is the best.
      return c == null || c.isEmpty() || Character.isDigit(c.charAt(0)) || c.contains(":") ? h : c;
    }

    @Override
    public String canonicalName(String host) throws IOException {
      String c = InetAddress.getByName(host).getCanonicalHostName();
      if (c.equals(InetAddress.getByName(host).getHostAddress())) {
        throw new IOException("no canonical name for " + host);
      }
      return c;
    }

    @Override
    public String reverseLookup() throws IOException {
      for (String ip : ips()) {
        InetAddress a = InetAddress.getByName(ip);
        String name = a.getCanonicalHostName();
        if (!name.equals(a.getHostAddress())) {
          return name;
        }
      }
      throw new IOException("no address of this host has a reverse DNS name");
    }

    @Override
    public String osName() {
      return System.getProperty("os.name", "");
    }

    @Override
    public String osVersion() {
      return System.getProperty("os.version", "");
    }

    @Override
    public String osArch() {
      return System.getProperty("os.arch", "");
    }

    @Override
    public String machineId() {
      for (String f : List.of("/etc/machine-id", "/var/lib/dbus/machine-id")) {
        try {
          String id = Files.readString(Path.of(f)).trim();
          if (!id.isEmpty()) {
            return id;
          }
        } catch (IOException | RuntimeException e) {
          // try the next one
        }
      }
      return null;
    }

    @Override
    public List<String> ips() {
      List<String> out = new ArrayList<>();
      try {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          if (ni.isLoopback() || !ni.isUp()) {
            continue;
          }
          for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            String s = a.getHostAddress();
            out.add(a instanceof Inet6Address && s.indexOf('%') > 0 ? s.substring(0, s.indexOf('%')) : s);
          }
        }
      } catch (IOException e) {
        // no interfaces readable: empty list
      }
      return out;
    }

    @Override
    public List<String> macs() {
      List<String> out = new ArrayList<>();
      try {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
          byte[] mac = ni.getHardwareAddress();
          if (ni.isLoopback() || mac == null || mac.length == 0) {
            continue;
          }
          StringBuilder sb = new StringBuilder();
          for (int i = 0; i < mac.length; i++) {
            sb.append(i == 0 ? "" : "-").append(String.format("%02X", mac[i]));
          }
          out.add(sb.toString());
        }
      } catch (IOException e) {
        // no interfaces readable: empty list
      }
      return out;
    }

    @Override
    public Map<String, String> cpuInfo() {
      Map<String, String> out = new LinkedHashMap<>();
      try {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
          if (line.isBlank()) {
            break; // the first processor is enough
          }
          int colon = line.indexOf(':');
          if (colon > 0) {
            out.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux: no cpu attributes
      }
      return out;
    }
  }
}
