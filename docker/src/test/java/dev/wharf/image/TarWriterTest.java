package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tar writer against the real peer: GNU tar lists and extracts what it wrote. */
class TarWriterTest {
    @TempDir Path dir;

    private static final String LONG_NAME = "opt/java/legal/" + "a-very-long-directory-name/".repeat(4) + "LICENSE";

    private byte[] sample() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarWriter tar = new TarWriter(bytes)) {
            tar.directory("home/wharf", 0755, 4317, 4317, 0);
            tar.directory("tmp", 01777, 0, 0, 0);
            tar.file("etc/passwd", 0644, 0, 0, 0, "wharf:x:4317:4317::/home/wharf:/sbin/nologin\n".getBytes());
            tar.file(LONG_NAME, 0644, 0, 0, 0, "license text".getBytes());
            try (var body = tar.fileStream("healthcheck", 0755, 0, 0, 0, 3)) {
                body.write(new byte[] {1, 2, 3});
            }
            tar.symlink("lib64/ld.so", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0, 0, 0);
        }
        return bytes.toByteArray();
    }

    @Test
    void gnuTarReadsNamesModesOwnersAndLinks() throws Exception {
        assumeTrue(RuntimeImage.onPath("tar"), "GNU tar not installed");
        Path archive = dir.resolve("a.tar");
        Files.write(archive, sample());
        String listing = Commands.check(List.of("tar", "--numeric-owner", "-tvf", archive.toString()), 30);
        assertThat(listing)
                .containsPattern("drwxr-xr-x 4317/4317\\s+0 1970-01-01 00:00 home/wharf/")
                .containsPattern("drwxrwxrwt 0/0\\s+0 1970-01-01 00:00 tmp/")
                .containsPattern("-rw-r--r-- 0/0\\s+45 1970-01-01 00:00 etc/passwd")
                .containsPattern("-rwxr-xr-x 0/0\\s+3 1970-01-01 00:00 healthcheck")
                .contains(LONG_NAME)
                .contains("lib64/ld.so -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        Path out = Files.createDirectories(dir.resolve("out"));
        Commands.check(List.of("tar", "-xf", archive.toString(), "-C", out.toString()), 30);
        assertThat(Files.readString(out.resolve(LONG_NAME), StandardCharsets.UTF_8)).isEqualTo("license text");
        assertThat(Files.readAllBytes(out.resolve("healthcheck"))).containsExactly(1, 2, 3);
    }

    @Test
    void sameInputGivesSameBytes() throws Exception {
        assertThat(sample()).isEqualTo(sample());
        assertThat(sample().length % 512).isZero();
    }

    @Test
    void paxRecordLengthCountsItself() {
        // "LEN path=VALUE\n" where LEN includes its own digits
        assertThat(TarWriter.paxRecord("path", "x")).isEqualTo("9 path=x\n");
        String record = TarWriter.paxRecord("path", "y".repeat(95));
        assertThat(record).startsWith("105 ");
        assertThat(record.getBytes(StandardCharsets.UTF_8)).hasSize(105);
        // 8 + 1 digit = 9 fits, 9 + 1 digit = 10 does not: the length grows to 2 digits -> 11
        assertThat(TarWriter.paxRecord("path", "xx")).isEqualTo("11 path=xx\n");
    }

    @Test
    void fileStreamRefusesAWrongSize() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TarWriter tar = new TarWriter(bytes);
        var body = tar.fileStream("f", 0644, 0, 0, 0, 4);
        body.write(new byte[] {1, 2});
        org.assertj.core.api.Assertions.assertThatThrownBy(body::close).hasMessageContaining("2 bytes missing");
    }
}
