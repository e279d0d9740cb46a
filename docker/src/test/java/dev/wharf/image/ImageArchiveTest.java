package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive is a docker-load archive and an OCI layout at once, content-addressed and reproducible. */
class ImageArchiveTest {
    @TempDir Path dir;

    private ImageArchive.Result write(Path out) throws Exception {
        Path jar = dir.resolve("app.jar");
        Files.writeString(jar, "not really a jar");
        Layer runtime = new Layer("runtime")
                .add(LayerEntry.file("/etc/passwd", 0644, "wharf:x:4317:4317::/home/wharf:/sbin/nologin\n".getBytes()))
                .add(LayerEntry.directory("/tmp", 01777, 0, 0))
                .add(LayerEntry.directory("/home/wharf", 0755, 4317, 4317));
        Layer app = new Layer("app").add(LayerEntry.file("/wharf.jar", 0644, jar));
        ImageConfig config = new ImageConfig("amd64", "4317:4317", List.of("/wharf"), List.of("--config=/etc/otel-config.yaml"),
                List.of("HOME=/home/wharf"), List.of("4317/tcp", "2000/udp"), Map.of("a", "b"), "/",
                "1970-01-01T00:00:00Z", List.of("wharf:test"));
        return new ImageArchive(0).write(List.of(runtime, app), config, out, dir.resolve("scratch-" + out.getFileName()));
    }

    @Test
    void dockerManifestAndOciIndexPointAtContentAddressedBlobs() throws Exception {
        assumeTrue(RuntimeImage.onPath("tar"), "GNU tar not installed");
        ImageArchive.Result result = write(dir.resolve("image.tar"));
        Path out = Files.createDirectories(dir.resolve("x"));
        Commands.check(List.of("tar", "-xf", result.archive().toString(), "-C", out.toString()), 30);

        assertThat(Files.readString(out.resolve("oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
        String manifest = Files.readString(out.resolve("manifest.json"));
        assertThat(manifest).contains("\"RepoTags\":[\"wharf:test\"]")
                .contains("\"Config\":\"blobs/sha256/" + result.configDigest().substring(7) + "\"");
        String index = Files.readString(out.resolve("index.json"));
        assertThat(index).contains(result.manifestDigest()).contains("\"io.containerd.image.name\":\"wharf:test\"");

        // every blob's name is its digest
        try (var blobs = Files.list(out.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(blob)));
                assertThat(blob.getFileName().toString()).isEqualTo(digest);
            }
        }
        String config = Files.readString(out.resolve("blobs/sha256/" + result.configDigest().substring(7)), StandardCharsets.UTF_8);
        assertThat(config).contains("\"User\":\"4317:4317\"").contains("\"Entrypoint\":[\"/wharf\"]")
                .contains("\"Cmd\":[\"--config=/etc/otel-config.yaml\"]").contains("\"2000/udp\":{}")
                .contains("\"diff_ids\":[\"" + result.layers().get(0).diffId() + "\",\"" + result.layers().get(1).diffId() + "\"]");
        for (ImageArchive.LayerInfo layer : result.layers()) {
            assertThat(manifest).contains("blobs/sha256/" + layer.diffId().substring(7));
            assertThat(Files.size(out.resolve("blobs/sha256/" + layer.diffId().substring(7)))).isEqualTo(layer.size());
            assertThat(layer.gzipSize()).isPositive().isLessThan(layer.size());
        }
        // implied parent directories are present, explicit owners kept
        String runtimeListing = Commands.check(List.of("tar", "--numeric-owner", "-tvf",
                out.resolve("blobs/sha256/" + result.layers().get(0).diffId().substring(7)).toString()), 30);
        assertThat(runtimeListing).containsPattern("drwxr-xr-x 0/0 .* etc/\n")
                .containsPattern("drwxr-xr-x 0/0 .* home/\n")
                .containsPattern("drwxr-xr-x 4317/4317 .* home/wharf/\n")
                .containsPattern("drwxrwxrwt 0/0 .* tmp/\n");
    }

    @Test
    void buildingTwiceGivesIdenticalArchives() throws Exception {
        ImageArchive.Result first = write(dir.resolve("one.tar"));
        ImageArchive.Result second = write(dir.resolve("two.tar"));
        assertThat(second.manifestDigest()).isEqualTo(first.manifestDigest());
        assertThat(Files.readAllBytes(second.archive())).isEqualTo(Files.readAllBytes(first.archive()));
    }

    @Test
    void aLayerRefusesTheSamePathTwice() {
        Layer layer = new Layer("l").add(LayerEntry.file("/a", 0644, new byte[0]));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> layer.add(LayerEntry.file("/a", 0644, new byte[1])))
                .hasMessageContaining("/a added twice");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LayerEntry.file("relative", 0644, new byte[0]))
                .hasMessageContaining("absolute");
    }
}
