package dev.wharf.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The preset list (src/image/presets.txt): which of ADOT's configurations the image carries. */
public final class Presets {
    private Presets() {}

    /** @param source the file under src/image/rootfs; {@code bundled} false means "pending" */
    public record Preset(String imagePath, boolean bundled, Path source) {}

    public static List<Preset> read(Path imageSources) throws IOException {
        List<Preset> presets = new ArrayList<>();
        Path list = imageSources.resolve("presets.txt");
        int lineNumber = 0;
        for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
            lineNumber++;
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) continue;
            String[] fields = text.split("\\s+");
            if (fields.length != 2 || !(fields[0].equals("bundled") || fields[0].equals("pending"))
                    || !fields[1].startsWith("/etc/")) {
                throw new IOException(list + ":" + lineNumber + ": expected \"bundled|pending /etc/...\", got: " + line);
            }
            Path source = imageSources.resolve("rootfs").resolve(fields[1].substring(1));
            if (!Files.isRegularFile(source)) {
                throw new IOException(list + ":" + lineNumber + ": no file " + source);
            }
            presets.add(new Preset(fields[1], fields[0].equals("bundled"), source));
        }
        return presets;
    }
}
