package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.wharf.testing.FreePort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The image as a container runtime runs it: the tarball from the build is unpacked layer by layer,
 * its entrypoint runs in a chroot with /proc and /dev mounted (private mount namespace) as the
 * image's user with the image's environment, and it is driven the way ECS drives the sidecar: the
 * config from AOT_CONFIG_CONTENT, /healthcheck until healthy, one OTLP span through to the debug
 * exporter, SIGTERM, exit 0. Needs root (chroot, mount); skipped with a message otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageIT {
    private Path dir;
    private UnpackedImage image;
    private Properties report;
    private Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    void unpack() throws Exception {
        assumeTrue(!Boolean.getBoolean("wharf.image.skip"), "image build skipped (-Dwharf.image.skip=true)");
        Path archive = Path.of(System.getProperty("wharf.image", "target/wharf-image.tar"));
        assumeTrue(Files.isRegularFile(archive), "no image tarball at " + archive);
        assumeTrue("root".equals(System.getProperty("user.name")),
                "ImageIT needs root for chroot and mount (CI runs as root); running as " + System.getProperty("user.name"));
        assumeTrue(RuntimeImage.onPath("unshare") && RuntimeImage.onPath("chroot") && RuntimeImage.onPath("tar"),
                "ImageIT needs unshare, chroot and tar");
        assumeTrue(Commands.run(List.of("unshare", "--mount", "true"), null, 30).exitCode() == 0,
                "ImageIT: unshare --mount is not permitted here (no CAP_SYS_ADMIN)");
        dir = Files.createTempDirectory("wharf-image-it");
        image = UnpackedImage.unpack(archive, dir);
        report = new Properties();
        try (var in = Files.newBufferedReader(archive.toAbsolutePath().getParent().resolve("image/image.properties"))) {
            report.load(in);
        }
        // A runtime creates these mount points; the image does not carry them.
        Files.createDirectories(image.rootfs().resolve("proc"));
        Files.createDirectories(image.rootfs().resolve("dev"));
    }

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) process.destroyForcibly();
    }

    /**
     * The mounts live in the child's private mount namespace and vanish with it; if one ever leaked
     * into this namespace, deleting the temp dir would descend into the host's /dev, so check first.
     */
    @AfterAll
    void noMountLeakedThenDelete() throws Exception {
        if (dir == null) return;
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String mountPoint = line.split(" ")[1];
            if (mountPoint.startsWith(dir.toString())) {
                Commands.run(List.of("umount", "-l", mountPoint), null, 30);
                throw new AssertionError("mount leaked out of the test's namespace (temp dir kept): " + line);
            }
        }
        RuntimeImage.deleteRecursively(dir);
    }

    private static String tool(String name) {
        for (String d : System.getenv("PATH").split(":")) {
            if (Files.isExecutable(Path.of(d, name))) return Path.of(d, name).toString();
        }
        throw new IllegalStateException(name + " not on PATH");
    }

    /** Starts {@code args} inside the image (entrypoint not implied) with the image env plus {@code extraEnv}. */
    private Process runInImage(List<String> args, Map<String, String> extraEnv, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(tool("unshare"), "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c",
                tool("mount") + " -t proc proc \"$0/proc\" && " + tool("mount") + " --rbind /dev \"$0/dev\" && exec "
                        + tool("chroot") + " --userspec=" + image.user() + " \"$0\" \"$@\"",
                image.rootfs().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().clear();
        for (String variable : image.env()) {
            builder.environment().put(variable.substring(0, variable.indexOf('=')), variable.substring(variable.indexOf('=') + 1));
        }
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    private int healthcheck(int port) throws Exception {
        Process probe = new ProcessBuilder(tool("chroot"), "--userspec=" + image.user(), image.rootfs().toString(),
                "/healthcheck", "--port", Integer.toString(port)).redirectErrorStream(true).start();
        assertThat(probe.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return probe.exitValue();
    }

    @Test
    void imageLayoutMatchesAdot() throws Exception {
        Path root = image.rootfs();
        assertThat(image.entrypoint()).containsExactly("/wharf");
        assertThat(image.cmd()).containsExactly("--config=/etc/otel-config.yaml");
        assertThat(image.user()).isEqualTo("4317:4317");
        assertThat(image.env()).contains("HOME=/home/wharf", "RUN_IN_CONTAINER=True");
        assertThat(Files.readString(root.resolve("etc/passwd"))).contains("wharf:x:4317:4317:");
        assertThat(Files.readString(root.resolve("etc/group"))).contains("wharf:x:4317:");
        assertThat(Files.getAttribute(root.resolve("home/wharf"), "unix:uid")).isEqualTo(4317);
        assertThat((Integer) Files.getAttribute(root.resolve("tmp"), "unix:mode") & 07777).isEqualTo(01777);
        assertThat(root.resolve("etc/ssl/certs/ca-certificates.crt")).isRegularFile();
        assertThat(Files.getPosixFilePermissions(root.resolve("healthcheck"))).contains(PosixFilePermission.OTHERS_EXECUTE);
        assertThat(root.resolve("bin/sh")).doesNotExist(); // scratch: no shell, like ADOT
        for (String preset : report.getProperty("presets.bundled", "").split(",")) {
            if (!preset.isEmpty()) assertThat(root.resolve(preset.substring(1))).isRegularFile();
        }
    }

    @Test
    void entrypointRunsTheJlinkedRuntime() throws Exception {
        Path log = dir.resolve("components.log");
        Process components = runInImage(List.of("/wharf", "components"), Map.of(), log);
        assertThat(components.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(components.exitValue()).as(out).isZero();
        assertThat(out).contains("- name: health_check").contains("- name: debug");
    }

    @Test
    void everyBundledPresetValidatesInsideTheImage() throws Exception {
        for (String preset : report.getProperty("presets.bundled", "").split(",")) {
            if (preset.isEmpty()) continue;
            Path log = dir.resolve("validate" + preset.replace('/', '-') + ".log");
            Process validate = runInImage(List.of("/wharf", "validate", "--config=" + preset),
                    Map.of("AWS_REGION", "us-east-1"), log);
            assertThat(validate.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(validate.exitValue()).as("%s:\n%s", preset, Files.readString(log)).isZero();
        }
    }

    @Test
    void sidecarLifecycleWithAotConfigContent() throws Exception {
        Path componentsLog = dir.resolve("list.log");
        Process list = runInImage(List.of("/wharf", "components"), Map.of(), componentsLog);
        assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assumeTrue(Files.readString(componentsLog).contains("- name: otlp"),
                "the otlp receiver is not in this build yet; the full image test needs it");

        int health = FreePort.pick();
        int otlpHttp = FreePort.pick();
        int otlpGrpc = FreePort.pick();
        int metrics = FreePort.pick();
        String config = String.join("\n",
                "extensions:",
                "  health_check:",
                "    endpoint: 127.0.0.1:" + health,
                "receivers:",
                "  otlp:",
                "    protocols:",
                "      grpc:",
                "        endpoint: 127.0.0.1:" + otlpGrpc,
                "      http:",
                "        endpoint: 127.0.0.1:" + otlpHttp,
                "exporters:",
                "  debug:",
                "    verbosity: detailed",
                "service:",
                "  extensions: [health_check]",
                "  telemetry:",
                "    metrics: {address: '127.0.0.1:" + metrics + "'}",
                "  pipelines:",
                "    traces: {receivers: [otlp], exporters: [debug]}",
                "");
        List<String> args = new ArrayList<>(image.entrypoint());
        args.addAll(image.cmd()); // --config=/etc/otel-config.yaml, replaced by AOT_CONFIG_CONTENT as in ADOT
        Path log = dir.resolve("wharf.log");
        long started = System.nanoTime();
        process = runInImage(args, Map.of("AOT_CONFIG_CONTENT", config,
                "WHARF_JAVA_OPTS", "-Xlog:class+load=info:file=/tmp/class-load.log"), log);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int probe = -1;
        while (System.nanoTime() < deadline && process.isAlive() && (probe = healthcheck(health)) != 0) {
            Thread.sleep(20);
        }
        long healthyMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(probe).as("/healthcheck, log:\n%s", Files.readString(log)).isZero();
        System.out.printf("[ImageIT] start -> /healthcheck 0: %d ms (AOT cache: %s); VmRSS after start: %s%n",
                healthyMillis, report.getProperty("aot"), rss(process.pid()));

        String span = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":"
                + "{\"stringValue\":\"image-it\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
                + "\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"span-through-the-image\",\"kind\":2,"
                + "\"startTimeUnixNano\":\"1544712660000000000\",\"endTimeUnixNano\":\"1544712661000000000\"}]}]}]}";
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpHttp + "/v1/traces"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(span)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < logDeadline && !Files.readString(log).contains("span-through-the-image")) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains("span-through-the-image");
        System.out.printf("[ImageIT] VmRSS after one span: %s%n", rss(process.pid()));

        // and one over OTLP/gRPC (Wharf's own HTTP/2 server), from the SDK's exporter
        var grpcExporter = io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + otlpGrpc).setTimeout(Duration.ofSeconds(10)).build();
        var provider = io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(grpcExporter)).build();
        provider.get("image-it").spanBuilder("span-over-grpc").startSpan().end();
        assertThat(provider.forceFlush().join(15, TimeUnit.SECONDS).isSuccess()).as("gRPC export").isTrue();
        provider.shutdown().join(10, TimeUnit.SECONDS);
        logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < logDeadline && !Files.readString(log).contains("span-over-grpc")) {
            Thread.sleep(50);
        }
        assertThat(Files.readString(log)).contains("span-over-grpc");
        System.out.printf("[ImageIT] VmRSS after a gRPC span: %s%n", rss(process.pid()));

        process.destroy(); // SIGTERM, as ECS stops a task
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code, log:\n%s", out).isZero();
        assertThat(out).contains("AOT_CONFIG_CONTENT is set").contains("Shutdown complete");

        // WHARF_JAVA_OPTS reached the JVM, /tmp is writable by the image user, and the AOT cache was used.
        Path classLoad = image.rootfs().resolve("tmp/class-load.log");
        assertThat(classLoad).isRegularFile();
        assertThat(Files.getAttribute(classLoad, "unix:uid")).isEqualTo(4317);
        if (Boolean.parseBoolean(report.getProperty("aot"))) {
            assertThat(Files.readString(classLoad)).contains("dev.wharf.cli.Main source: shared objects file");
        }
    }

    private static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM")).map(String::strip).toList().toString();
        } catch (IOException e) {
            return "n/a";
        }
    }
}
