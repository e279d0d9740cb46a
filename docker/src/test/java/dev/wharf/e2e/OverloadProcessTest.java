package dev.wharf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Overload under a container-like budget: a JVM with a 96 MiB heap (and bounded direct memory and
 * metaspace, as the image sets them) gets a burst twice what its exporter can send. The memory
 * limiter must refuse (retryably) instead of letting memory grow, the process must not die of OOM,
 * its peak RSS must stay under 320 MiB, and afterwards everything accepted must be delivered.
 */
class OverloadProcessTest {

  @Test
  void burstIsRefusedNotBufferedAndEverythingAcceptedIsDelivered() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx96m", "-XX:MaxDirectMemorySize=16m", "-XX:MaxMetaspaceSize=64m",
        "-Xss512k", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
        "-cp", System.getProperty("java.class.path"), OverloadMain.class.getName())
        .redirectErrorStream(true).start();
    Map<String, Long> values = new HashMap<>();
    StringBuilder tail = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(" ");
        if (f.length == 2 && f[0].matches("[A-Z_]+") && f[1].matches("-?\\d+")) {
          values.put(f[0], Long.parseLong(f[1]));
        } else if (line.equals("DONE")) {
          values.put("DONE", 1L);
        } else if (tail.length() < 20_000) {
          tail.append(line).append('\n');
        }
      }
    } finally {
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    assertThat(p.exitValue()).as(tail.toString()).isZero();
    assertThat(values).as(tail.toString()).containsKey("DONE");
    long accepted = values.get("ACCEPTED");
    long refused = values.get("REFUSED");
    assertThat(accepted).isPositive();
    assertThat(refused).as("the burst must be refused, not buffered").isPositive();
    assertThat(values.get("LIMITER_REFUSED")).isPositive();
    assertThat(values.get("DELIVERED")).as("everything accepted arrives").isEqualTo(accepted);
    assertThat(values.get("VMHWM_KB")).as("peak RSS must fit a 256 MiB sidecar").isLessThan(256L * 1024);
    System.out.println("overload: accepted " + accepted + " refused " + refused + " spans, peak RSS "
        + values.get("VMHWM_KB") / 1024 + " MiB");
  }
}
