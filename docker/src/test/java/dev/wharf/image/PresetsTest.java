package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preset list covers ADOT's presets at ADOT's paths, with byte-identical contents. */
class PresetsTest {
    @TempDir Path dir;

    static Path shared() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        Path candidate = start.resolve("../../shared").normalize();
        if (Files.isDirectory(candidate.resolve("spec"))) return candidate;
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/spec"))) return p.resolve("shared");
        }
        throw new IllegalStateException("no shared/ folder with spec/ above " + start);
    }

    /** Fixture file name -> path in the ADOT image, from fixtures/adot-configs/README.md. */
    static Map<String, String> adotPaths() throws Exception {
        Map<String, String> paths = new TreeMap<>();
        for (String line : Files.readAllLines(shared().resolve("fixtures/adot-configs/README.md"))) {
            String[] cells = line.split("\\|");
            if (cells.length >= 4 && cells[1].strip().startsWith("`") && cells[3].strip().startsWith("`/etc")) {
                paths.put(cells[1].strip().replace("`", ""), cells[3].strip().replace("`", "").split(" ")[0]);
            }
        }
        return paths;
    }

    @Test
    void everyAdotPresetIsListedAtItsAdotPathWithIdenticalBytes() throws Exception {
        List<Presets.Preset> presets = Presets.read(Path.of("src/image"));
        Map<String, String> adot = adotPaths();
        assertThat(adot).hasSize(12);
        assertThat(presets).extracting(Presets.Preset::imagePath).containsExactlyInAnyOrderElementsOf(adot.values());
        for (var entry : adot.entrySet()) {
            Presets.Preset preset = presets.stream().filter(p -> p.imagePath().equals(entry.getValue())).findFirst().orElseThrow();
            assertThat(Files.readAllBytes(preset.source())).as(entry.getValue())
                    .isEqualTo(Files.readAllBytes(shared().resolve("fixtures/adot-configs/" + entry.getKey())));
        }
    }

    @Test
    void aMalformedListNamesTheLine() throws Exception {
        Files.createDirectories(dir.resolve("rootfs/etc"));
        Files.writeString(dir.resolve("presets.txt"), "# comment\n\nshipped /etc/x.yaml\n");
        assertThatThrownBy(() -> Presets.read(dir)).hasMessageContaining("presets.txt:3").hasMessageContaining("shipped");
        Files.writeString(dir.resolve("presets.txt"), "bundled /etc/missing.yaml\n");
        assertThatThrownBy(() -> Presets.read(dir)).hasMessageContaining("presets.txt:1: no file");
        Files.writeString(dir.resolve("rootfs/etc/x.yaml"), "a: b\n");
        Files.writeString(dir.resolve("presets.txt"), "bundled /etc/x.yaml\npending /etc/x.yaml\n");
        assertThat(Presets.read(dir)).extracting(Presets.Preset::bundled).containsExactly(true, false);
    }
}
