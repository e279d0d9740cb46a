package dev.wharf.config;

import java.net.InetSocketAddress;

/**
 * A listening or target address written {@code host:port}; an empty host ({@code :8888}) means every
 * interface, {@code [::1]:4317} is IPv6.
 */
public record Endpoint(String host, int port) {

  /** Parses {@code host:port}; throws IllegalArgumentException saying what was expected. */
  public static Endpoint parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected host:port such as localhost:4317, got '" + text + "'");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("an IPv6 host must be written in brackets, as [::1]:4317, got '" + text + "'");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected host:port with a numeric port, got '" + text + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, got '" + text + "'");
    }
    return new Endpoint(host, port);
  }

  /** The socket address to bind; an empty host or {@code 0.0.0.0} binds every interface. */
  public InetSocketAddress bindAddress() {
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
