package dev.wharf.exporter.awsxray;

import dev.wharf.exporter.awsxray.SegmentModel.Exc;
import dev.wharf.exporter.awsxray.SegmentModel.Frame;
import java.util.List;
import java.util.function.Supplier;

/**
 * Stack-trace parsers of cause.go, chosen by the resource's {@code telemetry.sdk.language}. Each
 * fills the stack of {@code exceptions[0]} (the exception named by the event's attributes) and
 * appends chained exceptions ({@code Caused by:}, Python's "During handling ...") with their ids
 * linked through {@code cause}.
 */
final class StackTraces {
  private StackTraces() {}

  /** The parser language for a {@code telemetry.sdk.language} value, or null when none applies. */
  static String parserFor(String language) {
    if (language == null) {
      return null;
    }
    switch (language) {
      case "java":
      case "php":
        return "java";
      case "python":
        return "python";
      // v0.156.0 knows "javascript" only; the OpenTelemetry JS SDKs report nodejs / webjs, which
      // other upstream versions accept too.
      case "javascript":
      case "nodejs":
      case "webjs":
        return "javascript";
      case "dotnet":
        return "dotnet";
      case "go":
        return "go";
      default:
        return null;
    }
  }

  static void fill(String parser, String stacktrace, List<Exc> exceptions, Supplier<String> ids) {
    if (parser == null || stacktrace == null || stacktrace.isEmpty()) {
      return;
    }
    switch (parser) {
      case "java" -> java(stacktrace, exceptions, ids);
      case "python" -> python(stacktrace, exceptions, ids);
      case "javascript" -> javascript(stacktrace, exceptions);
      case "dotnet" -> dotnet(stacktrace, exceptions);
      case "go" -> go(stacktrace, exceptions);
      default -> { }
    }
  }

  private static String[] lines(String s) {
    String[] ls = s.split("\n", -1);
    for (int i = 0; i < ls.length; i++) {
      if (ls[i].endsWith("\r")) {
        ls[i] = ls[i].substring(0, ls[i].length() - 1);
      }
    }
    return ls;
  }

  private static int atoi(String s) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int indent(String line) {
    int i = 0;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isJavaFrame(String trimmed) {
    return trimmed.startsWith("at ") && trimmed.indexOf('(') >= 0 && trimmed.endsWith(")");
  }

  static void java(String stacktrace, List<Exc> exceptions, Supplier<String> ids) {
    String[] lines = lines(stacktrace);
    Exc current = exceptions.get(exceptions.size() - 1);
    boolean remote = Boolean.TRUE.equals(current.remote);
    int i = 1; // the first line is the top-level "Type: message"
    while (i < lines.length) {
      String line = lines[i];
      String t = line.trim();
      if (isJavaFrame(t)) {
        int paren = t.indexOf('(');
        String label = t.substring(3, paren);
        int slash = label.indexOf('/');
        if (slash >= 0) {
          // class loader and/or module prefix: "java.base/", "app//" (loader, no module)
          label = label.substring(slash + 1);
          if (label.startsWith("/")) {
            label = label.substring(1);
          }
        }
        String path = t.substring(paren + 1, t.length() - 1);
        int lineNo = 0;
        int colon = path.indexOf(':');
        if (colon >= 0) {
          lineNo = atoi(path.substring(colon + 1));
          path = path.substring(0, colon);
        }
        current.addFrame(new Frame(path, lineNo, label));
        i++;
      } else if (t.startsWith("Caused by: ") && indent(line) == 0) {
        String type = t.substring("Caused by: ".length());
        String message = "";
        int colon = type.indexOf(':');
        if (colon >= 0) {
          message = colon + 2 <= type.length() ? type.substring(colon + 2) : "";
          type = type.substring(0, colon);
        }
        StringBuilder msg = new StringBuilder(message);
        i++;
        while (i < lines.length) {
          String next = lines[i].trim();
          if (isJavaFrame(next) || next.startsWith("...") || next.startsWith("Caused by: ")
              || next.startsWith("Suppressed: ")) {
            break;
          }
          msg.append(lines[i]);
          i++;
        }
        Exc chained = new Exc(ids.get(), type, msg.toString(), remote);
        current.cause = chained.id;
        exceptions.add(chained);
        current = chained;
      } else if (t.startsWith("Suppressed: ")) {
        // Suppressed exceptions and everything nested below them are skipped.
        int level = indent(line);
        i++;
        while (i < lines.length && (lines[i].isBlank() || indent(lines[i]) > level)) {
          i++;
        }
      } else {
        i++; // "... n more", continuation of the top-level message, anything else
      }
    }
  }

  static void python(String stacktrace, List<Exc> exceptions, Supplier<String> ids) {
    String[] lines = lines(stacktrace);
    Exc current = exceptions.get(exceptions.size() - 1);
    // Read from the end: the innermost frame is last; the last line is the top-level message.
    for (int i = lines.length - 2; i >= 0; i--) {
      String line = lines[i];
      if (line.startsWith("  File ")) {
        String[] parts = line.split(",", -1);
        if (parts.length == 3 && parts[0].length() >= 9) {
          String path = parts[0].substring(8, parts[0].length() - 1);
          int lineNo = parts[1].startsWith(" line ") ? atoi(parts[1].substring(6)) : 0;
          String label = parts[2].startsWith(" in ") ? parts[2].substring(4) : "";
          current.addFrame(new Frame(path, lineNo, label));
        }
      } else if (line.startsWith("During handling of the above exception, another exception occurred:")) {
        int file = i - 1;
        while (file >= 0 && !lines[file].startsWith("  File ")) {
          file--;
        }
        StringBuilder typeAndMessage = new StringBuilder();
        for (int j = file + 1; j < i; j++) {
          String between = lines[j];
          if (between.isBlank() || between.startsWith("    ")) {
            continue; // source line or caret markers of the last frame, blank separators
          }
          if (typeAndMessage.length() > 0) {
            typeAndMessage.append('\n');
          }
          typeAndMessage.append(between);
        }
        String tm = typeAndMessage.toString();
        int colon = tm.indexOf(':');
        String type = colon >= 0 ? tm.substring(0, colon) : tm;
        String message = colon >= 0 ? tm.substring(colon + 1).trim() : "";
        Exc chained = new Exc(ids.get(), type, message, current.remote);
        current.cause = chained.id;
        exceptions.add(chained);
        current = chained;
        i = file + 1; // continue with the frames of the earlier traceback
      }
    }
  }

  static void javascript(String stacktrace, List<Exc> exceptions) {
    String[] lines = lines(stacktrace);
    Exc current = exceptions.get(exceptions.size() - 1);
    for (int i = 1; i < lines.length; i++) {
      String t = lines[i].trim();
      if (!t.startsWith("at ")) {
        continue;
      }
      String rest = t.substring(3);
      String label = "";
      String location = rest;
      int open = rest.indexOf(" (");
      if (rest.endsWith(")") && open >= 0) {
        label = rest.substring(0, open);
        location = rest.substring(open + 2, rest.length() - 1);
      }
      String path = location;
      int lineNo = 0;
      int lastColon = location.lastIndexOf(':');
      if (lastColon >= 0) {
        int prevColon = location.lastIndexOf(':', lastColon - 1);
        if (prevColon >= 0) {
          path = location.substring(0, prevColon);
          lineNo = atoi(location.substring(prevColon + 1, lastColon));
        } else {
          path = location.substring(0, lastColon);
          lineNo = atoi(location.substring(lastColon + 1));
        }
      } else if (location.contains("native")) {
        path = "native";
      }
      if (path.isEmpty() && label.isEmpty() && lineNo == 0) {
        continue;
      }
      current.addFrame(new Frame(path, lineNo, label));
    }
  }

  static void dotnet(String stacktrace, List<Exc> exceptions) {
    String[] lines = lines(stacktrace);
    Exc current = exceptions.get(exceptions.size() - 1);
    for (int i = 1; i < lines.length; i++) {
      String t = lines[i].trim();
      if (!t.startsWith("at ")) {
        continue;
      }
      String rest = t.substring(3);
      int in = rest.lastIndexOf(" in ");
      if (in >= 0) {
        String label = rest.substring(0, in);
        String location = rest.substring(in + 4);
        int lineIdx = location.lastIndexOf(":line ");
        String path = lineIdx >= 0 ? location.substring(0, lineIdx) : location;
        int lineNo = lineIdx >= 0 ? atoi(location.substring(lineIdx + 6)) : 0;
        current.addFrame(new Frame(path, lineNo, label));
      } else {
        current.addFrame(new Frame("", 0, rest));
      }
    }
  }

  static void go(String stacktrace, List<Exc> exceptions) {
    String[] lines = lines(stacktrace);
    Exc current = exceptions.get(exceptions.size() - 1);
    int i = 1; // the first line is the top-level message (or the goroutine header)
    while (i < lines.length && (lines[i].isBlank()
        || (lines[i].startsWith("goroutine ") && lines[i].contains("running")))) {
      i++;
    }
    while (i + 1 < lines.length) {
      String function = lines[i].trim();
      String location = lines[i + 1].trim();
      if (function.isEmpty()) {
        i++;
        continue;
      }
      int space = location.indexOf(" +0x");
      if (space >= 0) {
        location = location.substring(0, space);
      }
      int colon = location.lastIndexOf(':');
      if (colon < 0) {
        i++;
        continue;
      }
      String label = function;
      if (label.endsWith(")")) {
        int open = label.lastIndexOf('(');
        if (open > 0) {
          label = label.substring(0, open); // drop the argument words
        }
      }
      current.addFrame(new Frame(location.substring(0, colon), atoi(location.substring(colon + 1)), label));
      i += 2;
    }
  }
}
