package dev.wharf.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a build tool (jdeps, jlink, ldd, gcc) and returns its output, failing with it on a non-zero exit. */
final class Commands {
    private Commands() {}

    record Output(int exitCode, String text) {}

    static Output run(List<String> command, Path directory, long timeoutSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) builder.directory(directory.toFile());
        Process process = builder.start();
        byte[] bytes;
        try (var in = process.getInputStream()) {
            bytes = in.readAllBytes();
        }
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        return new Output(process.exitValue(), new String(bytes, StandardCharsets.UTF_8));
    }

    static String check(List<String> command, long timeoutSeconds) throws IOException {
        Output output = run(command, null, timeoutSeconds);
        if (output.exitCode() != 0) {
            throw new IOException("command failed (exit " + output.exitCode() + "): " + String.join(" ", command)
                    + "\n" + output.text());
        }
        return output.text();
    }
}
