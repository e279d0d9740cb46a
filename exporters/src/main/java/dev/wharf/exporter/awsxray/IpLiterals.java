package dev.wharf.exporter.awsxray;

/**
 * Whether a string is an IPv4 or IPv6 literal, as Go's {@code net.ParseIP} decides, without any
 * name resolution ({@link java.net.InetAddress#getByName} would look names up).
 */
final class IpLiterals {
  private IpLiterals() {}

  static boolean isIp(String s) {
    return isIpv4(s) || isIpv6(s);
  }

  static boolean isIpv4(String s) {
    int parts = 0;
    int i = 0;
    int n = s.length();
    while (true) {
      int start = i;
      int value = 0;
      while (i < n && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return false;
        }
      }
      int len = i - start;
      if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
        return false;
      }
      parts++;
      if (i == n) {
        return parts == 4;
      }
      if (s.charAt(i) != '.' || parts == 4) {
        return false;
      }
      i++;
    }
  }

  static boolean isIpv6(String s) {
    if (s.isEmpty() || s.indexOf(':') < 0) {
      return false;
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
    String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
    int groups = 0;
    String[] sections = doubleColon >= 0 ? new String[] {head, tail} : new String[] {head};
    for (int k = 0; k < sections.length; k++) {
      String sec = sections[k];
      if (sec.isEmpty()) {
        continue;
      }
      String[] hextets = sec.split(":", -1);
      for (int j = 0; j < hextets.length; j++) {
        String h = hextets[j];
        boolean last = k == sections.length - 1 && j == hextets.length - 1;
        if (last && h.indexOf('.') >= 0) {
          if (!isIpv4(h)) {
            return false;
          }
          groups += 2;
          continue;
        }
        if (h.isEmpty() || h.length() > 4) {
          return false;
        }
        for (int c = 0; c < h.length(); c++) {
          if (Character.digit(h.charAt(c), 16) < 0 || h.charAt(c) > 127) {
            return false;
          }
        }
        groups++;
      }
    }
    return doubleColon >= 0 ? groups < 8 : groups == 8;
  }
}
