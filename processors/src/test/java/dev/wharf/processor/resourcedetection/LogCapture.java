package dev.wharf.processor.resourcedetection;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what a component logs (FINE and above) while open. */
final class LogCapture extends Handler implements AutoCloseable {
  private final Logger logger;
  private final Level previous;
  private final List<LogRecord> records = new ArrayList<>();

  LogCapture(String loggerName) {
    logger = Logger.getLogger(loggerName);
    previous = logger.getLevel();
    logger.setLevel(Level.FINE);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord r) {
    records.add(r);
  }

  synchronized List<String> at(Level level) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getLevel().equals(level)) {
        out.add(r.getParameters() == null ? r.getMessage()
            : java.text.MessageFormat.format(r.getMessage(), r.getParameters()));
      }
    }
    return out;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
