package dev.wharf.cli;

import dev.wharf.service.Service;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT start a graceful stop and end the process with exit code 0 (a JVM shutdown
 * hook alone would exit 143). A shutdown hook still covers other ways the JVM ends.
 */
final class SignalHandling {
  private static final Logger LOG = Logger.getLogger("wharf.cli");

  private SignalHandling() {}

  @SuppressWarnings("restriction")
  static void install(Service service, boolean exit) {
    Runnable stop = () -> {
      service.shutdown();
      if (exit) {
        System.exit(0);
      }
    };
    try {
      for (String name : new String[] {"TERM", "INT"}) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
          LOG.info("Received SIG" + sig.getName());
          Thread t = new Thread(stop, "wharf-shutdown");
          t.start();
        });
      }
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      LOG.fine("signal handlers unavailable: " + e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(service::shutdown, "wharf-shutdown-hook"));
  }
}
