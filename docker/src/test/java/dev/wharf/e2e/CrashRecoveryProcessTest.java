package dev.wharf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash: a Wharf process with a persistent sending queue (file_storage) accepts requests while its
 * backend is down and is killed with SIGKILL in the middle; a new process on the same directory
 * delivers every request the first one accepted (at least once).
 */
class CrashRecoveryProcessTest {
  @TempDir
  Path dir;

  private static Process start(String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), CrashWharfMain.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  @Test
  void everyAcceptedRequestIsDeliveredAfterKillDashNineAndRestart() throws Exception {
    Path queue = dir.resolve("queue");
    Set<String> accepted = new HashSet<>();
    Process first = start("down", queue.toString(), "100000");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && System.nanoTime() < deadline) {
        if (line.startsWith("ACCEPTED ")) {
          accepted.add(line.substring(9));
        }
        if (accepted.size() >= 2000 && first.isAlive()) {
          first.toHandle().destroyForcibly(); // SIGKILL while requests keep coming in
        }
      }
    } finally {
      first.destroyForcibly();
      first.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(accepted).hasSizeGreaterThanOrEqualTo(2000);

    Set<String> delivered = new HashSet<>();
    Process second = start("up", queue.toString());
    boolean idle = false;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(second.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((line = r.readLine()) != null && System.nanoTime() < until) {
        if (line.startsWith("DELIVERED ")) {
          delivered.add(line.substring(10));
        } else if (line.equals("IDLE")) {
          idle = true;
        }
      }
    } finally {
      if (!second.waitFor(30, TimeUnit.SECONDS)) {
        second.destroyForcibly();
      }
    }
    assertThat(idle).isTrue();
    assertThat(delivered).containsAll(accepted);
    System.out.println("crash: accepted " + accepted.size() + " before SIGKILL, delivered " + delivered.size()
        + " after restart");
  }
}
