package dev.wharf.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Compiles the image's two small C programs with the build machine's gcc. */
final class NativeBuild {
    /**
     * Libraries glibc loads with dlopen, which ldd cannot see: libgcc_s for unwinding when a thread
     * is cancelled or exits through pthread_exit.
     */
    static final List<String> DLOPENED_LIBRARIES = List.of("/lib/x86_64-linux-gnu/libgcc_s.so.1",
            "/lib/aarch64-linux-gnu/libgcc_s.so.1");

    private NativeBuild() {}

    static Path compile(Path source, Path output, boolean staticLink, List<String> defines) throws IOException {
        if (!RuntimeImage.onPath("gcc")) {
            throw new IOException("gcc is needed to build " + output.getFileName() + " from " + source
                    + " (apt-get install gcc libc6-dev)");
        }
        List<String> command = new ArrayList<>(List.of("gcc", "-Os", "-s", "-Wall", "-Wextra", "-Werror",
                "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong"));
        if (staticLink) command.add("-static");
        command.addAll(defines);
        command.addAll(List.of("-o", output.toString(), source.toString()));
        Commands.check(command, 120);
        return output;
    }
}
