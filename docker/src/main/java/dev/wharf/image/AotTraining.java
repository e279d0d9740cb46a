package dev.wharf.image;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run that produces the JDK's ahead-of-time cache (JEP 483/514/515): Wharf is started
 * from the staged image files with the image's own JVM options, driven through start-up, the health
 * check and a few OTLP/HTTP protobuf requests of each signal, then stopped with SIGTERM; the JVM writes
 * the cache on exit. Every class the training loads is loaded again at each start (AOT class linking),
 * so the training stays on the common path: OTLP/JSON, which ECS SDKs rarely send, is left out (its
 * parser classes load on the first JSON request instead of sitting in every sidecar's memory). The cache only helps a JVM with the same runtime, class path and options, which
 * is why all three come from the staged image.
 */
final class AotTraining {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);

    private AotTraining() {}

    record Result(boolean created, String log, long cacheBytes) {}

    /**
     * @param java the staged runtime's java launcher
     * @param options the image's jvm.options (staged copy)
     * @param jar the staged image jar
     * @param config the training configuration (ports from WHARF_TRAINING_* variables)
     * @param cache where the cache goes
     */
    static Result run(Path java, Path options, Path jar, Path config, Path cache, Path logFile)
            throws IOException, InterruptedException {
        Files.deleteIfExists(cache);
        int health = freePort();
        int grpc = freePort();
        int http = freePort();
        int metrics = freePort();
        List<String> command = new ArrayList<>(List.of(java.toString(), "@" + options,
                "-XX:AOTCacheOutput=" + cache, "-jar", jar.toString(), "--config=" + config));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().remove("AOT_CONFIG_CONTENT");
        builder.environment().put("WHARF_TRAINING_HEALTH_PORT", Integer.toString(health));
        builder.environment().put("WHARF_TRAINING_GRPC_PORT", Integer.toString(grpc));
        builder.environment().put("WHARF_TRAINING_HTTP_PORT", Integer.toString(http));
        builder.environment().put("WHARF_TRAINING_METRICS_PORT", Integer.toString(metrics));
        Process process = builder.start();
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .version(HttpClient.Version.HTTP_1_1).build();
            if (!awaitHealthy(client, process, health)) {
                return new Result(false, "Wharf did not report healthy on 127.0.0.1:" + health + "\n" + log(logFile), 0);
            }
            for (int round = 0; round < 20; round++) {
                post(client, http, "/v1/traces", "application/x-protobuf", TrainingData.tracesProtobuf(round));
                post(client, http, "/v1/metrics", "application/x-protobuf", TrainingData.metricsProtobuf(round));
                post(client, http, "/v1/logs", "application/x-protobuf", TrainingData.logsProtobuf(round));
                get(client, health);
            }
            get(client, metrics, "/metrics");
            process.destroy(); // SIGTERM: the graceful path a task stop takes
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(false, "Wharf did not stop within " + STOP_TIMEOUT + "\n" + log(logFile), 0);
            }
        } finally {
            if (process.isAlive()) process.destroyForcibly();
        }
        boolean created = Files.isRegularFile(cache) && Files.size(cache) > 0;
        return new Result(created, log(logFile), created ? Files.size(cache) : 0);
    }

    private static boolean awaitHealthy(HttpClient client, Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) return false;
            if (get(client, port) == 200) return true;
            Thread.sleep(50);
        }
        return false;
    }

    private static int get(HttpClient client, int port) throws InterruptedException {
        return get(client, port, "/");
    }

    private static int get(HttpClient client, int port, String path) throws InterruptedException {
        try {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void post(HttpClient client, int port, String path, String type, byte[] body)
            throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("training request " + path + " (" + type + ") answered " + response.statusCode()
                    + ": " + response.body());
        }
    }

    private static String log(Path logFile) throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
