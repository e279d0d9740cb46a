package dev.wharf.telemetry;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Configures java.util.logging for the command-line collector: one line per event on stderr, plain
 * ({@code console}) or JSON ({@code json}, for CloudWatch Logs through awslogs). Embedded services
 * leave the application's logging alone.
 */
public final class LogSetup {
  private LogSetup() {}

  public static Level level(String name) {
    switch (name) {
      case "debug":
        return Level.FINE;
      case "warn":
        return Level.WARNING;
      case "error":
        return Level.SEVERE;
      default:
        return Level.INFO;
    }
  }

  /** Replaces the root handlers with one stderr handler in the given encoding and level. */
  public static void configure(String level, String encoding) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler h = new ConsoleHandler();
    h.setLevel(Level.ALL);
    h.setFormatter("json".equals(encoding) ? new JsonFormatter() : new LineFormatter());
    root.addHandler(h);
    root.setLevel(level(level));
    Logger.getLogger("wharf").setLevel(level(level));
    // Netty and the AWS SDK are chatty at FINE.
    if (!"debug".equals(level)) {
      Logger.getLogger("io.grpc").setLevel(Level.WARNING);
      Logger.getLogger("software.amazon").setLevel(Level.WARNING);
    }
  }

  private static String levelName(Level l) {
    if (l.intValue() >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (l.intValue() >= Level.WARNING.intValue()) {
      return "warn";
    }
    if (l.intValue() >= Level.INFO.intValue()) {
      return "info";
    }
    return "debug";
  }

  /** {@code 2026-11-21T10:00:00.123Z\tinfo\twharf.service\tmessage}. */
  static final class LineFormatter extends Formatter {
    @Override
    public String format(LogRecord r) {
      StringBuilder sb = new StringBuilder(128);
      sb.append(Instant.ofEpochMilli(r.getMillis())).append('\t').append(levelName(r.getLevel())).append('\t')
          .append(r.getLoggerName()).append('\t').append(formatMessage(r));
      if (r.getThrown() != null) {
        sb.append('\n').append(stack(r.getThrown()));
      }
      return sb.append('\n').toString();
    }
  }

  /** One JSON object per line: ts, level, logger, msg, error. */
  static final class JsonFormatter extends Formatter {
    private static final com.fasterxml.jackson.core.JsonFactory JSON = new com.fasterxml.jackson.core.JsonFactory();

    @Override
    public String format(LogRecord r) {
      StringWriter w = new StringWriter(160);
      try (com.fasterxml.jackson.core.JsonGenerator g = JSON.createGenerator(w)) {
        g.writeStartObject();
        g.writeStringField("ts", Instant.ofEpochMilli(r.getMillis()).toString());
        g.writeStringField("level", levelName(r.getLevel()));
        g.writeStringField("logger", r.getLoggerName());
        g.writeStringField("msg", formatMessage(r));
        if (r.getThrown() != null) {
          g.writeStringField("error", stack(r.getThrown()));
        }
        g.writeEndObject();
      } catch (java.io.IOException e) {
        return formatMessage(r) + "\n";
      }
      return w.append('\n').toString();
    }
  }

  private static String stack(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString().stripTrailing();
  }
}
