package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /healthcheck C program (src/main/c/healthcheck.c), built as the image builds it, against a real HTTP server. */
class HealthcheckProgramTest {
    @TempDir static Path dir;
    private static Path binary;
    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> requestLine = new AtomicReference<>();

    @BeforeAll
    static void compile() throws IOException {
        assumeTrue(RuntimeImage.onPath("gcc"), "gcc not installed");
        binary = NativeBuild.compile(Path.of("src/main/c/healthcheck.c"), dir.resolve("healthcheck"), true, List.of());
    }

    private int serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requestLine.set(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            byte[] body = "{\"status\":\"Server available\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) server.stop(0);
    }

    private record Run(int exitCode, String stdout, String stderr) {}

    private static Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void healthyIs200AndExitZero() throws Exception {
        int port = serve();
        Run run = run("--port", Integer.toString(port));
        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("STATUS: 200\n");
        assertThat(requestLine.get()).isEqualTo("GET /");
    }

    @Test
    void goFlagSpellingsAreAccepted() throws Exception {
        int port = serve();
        for (String[] args : new String[][] {{"-port", "" + port}, {"--port=" + port}, {"-port=" + port}}) {
            assertThat(run(args).exitCode()).as(String.join(" ", args)).isZero();
        }
    }

    @Test
    void notReadyIsExitOneWithTheStatus() throws Exception {
        status.set(503);
        int port = serve();
        Run run = run("--port=" + port);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEqualTo("STATUS: 503\n");
    }

    @Test
    void nothingListeningIsExitOneWithTheReason() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Run run = run("--port", Integer.toString(port));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).startsWith("unable to retrieve health status: Get \"http://127.0.0.1:" + port + "/\"")
                .contains("refused");
    }

    @Test
    void invalidPortsAndFlagsAreExitOne() throws Exception {
        for (String[] args : new String[][] {{"--port", "0"}, {"--port", "65536"}, {"--port", "12ab"}, {"--port"},
                {"--host", "x"}, {"13133"}}) {
            Run run = run(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(run.stdout()).isEmpty();
        }
    }

    @Test
    void theDefaultPortIs13133() throws Exception {
        // Either something answers on 13133 on this machine or the error names the port.
        Run run = run();
        assertThat(run.stdout() + run.stderr()).containsAnyOf("STATUS: ", "127.0.0.1:13133");
    }
}
