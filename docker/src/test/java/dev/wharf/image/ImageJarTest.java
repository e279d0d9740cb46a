package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageJarTest {
    @TempDir Path dir;

    @Test
    void keepsOnlyNativesForTheImageCpu() {
        String prefix = "META-INF/native/";
        assertThat(ImageJar.isForeignNative(prefix + "libio_grpc_netty_shaded_netty_tcnative_linux_x86_64.so", "x86_64")).isFalse();
        assertThat(ImageJar.isForeignNative(prefix + "libio_grpc_netty_shaded_netty_transport_native_epoll_x86_64.so", "x86_64")).isFalse();
        assertThat(ImageJar.isForeignNative(prefix + "libio_grpc_netty_shaded_netty_tcnative_linux_aarch_64.so", "x86_64")).isTrue();
        assertThat(ImageJar.isForeignNative(prefix + "libio_grpc_netty_shaded_netty_tcnative_osx_x86_64.jnilib", "x86_64")).isTrue();
        assertThat(ImageJar.isForeignNative(prefix + "io_grpc_netty_shaded_netty_tcnative_windows_x86_64.dll", "x86_64")).isTrue();
        assertThat(ImageJar.isForeignNative(prefix + "libio_grpc_netty_shaded_netty_transport_native_epoll_x86_64.so", "aarch_64")).isTrue();
        assertThat(ImageJar.isForeignNative(prefix, "x86_64")).isFalse();
        assertThat(ImageJar.isForeignNative("dev/wharf/cli/Main.class", "x86_64")).isFalse();
    }

    @Test
    void rewritesReproduciblyWithStoredEntries() throws Exception {
        Path source = dir.resolve("in.jar");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(source))) {
            for (String name : List.of("META-INF/MANIFEST.MF", "a/B.class", "META-INF/native/libx_osx_x86_64.jnilib")) {
                out.putNextEntry(new ZipEntry(name));
                out.write(("content of " + name).repeat(20).getBytes());
                out.closeEntry();
            }
        }
        ImageJar.Result first = ImageJar.write(source, dir.resolve("one.jar"), "x86_64", true);
        Thread.sleep(1100); // a different wall-clock second must not change the bytes
        ImageJar.write(source, dir.resolve("two.jar"), "x86_64", true);
        assertThat(first.kept()).isEqualTo(2);
        assertThat(first.removed()).isEqualTo(1);
        assertThat(Files.readAllBytes(dir.resolve("one.jar"))).isEqualTo(Files.readAllBytes(dir.resolve("two.jar")));
        try (ZipFile zip = new ZipFile(dir.resolve("one.jar").toFile())) {
            assertThat(Collections.list(zip.entries())).extracting(ZipEntry::getName).containsExactly("META-INF/MANIFEST.MF", "a/B.class");
            assertThat(zip.getEntry("a/B.class").getMethod()).isEqualTo(ZipEntry.STORED);
            assertThat(new String(zip.getInputStream(zip.getEntry("a/B.class")).readAllBytes())).startsWith("content of a/B.class");
        }
    }
}
