package dev.wharf.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image tarball unpacked the way a container runtime does it: manifest.json gives the config and
 * the layer order, each layer is extracted over the previous ones (owners and modes kept, as root).
 */
record UnpackedImage(Path rootfs, List<String> entrypoint, List<String> cmd, List<String> env, String user,
                     Map<String, List<String>> configArrays) {

    static UnpackedImage unpack(Path archive, Path into) throws IOException {
        Path extracted = Files.createDirectories(into.resolve("archive"));
        Commands.check(List.of("tar", "-xf", archive.toString(), "-C", extracted.toString()), 120);
        Map<String, Object> manifest = firstObject(Files.readString(extracted.resolve("manifest.json")));
        Path rootfs = Files.createDirectories(into.resolve("rootfs"));
        @SuppressWarnings("unchecked")
        List<String> layers = (List<String>) manifest.get("Layers");
        for (String layer : layers) {
            Commands.check(List.of("tar", "--numeric-owner", "--same-owner", "-p", "-xf",
                    extracted.resolve(layer).toString(), "-C", rootfs.toString()), 120);
        }
        Map<String, List<String>> config = configArrays(Files.readString(extracted.resolve((String) manifest.get("Config"))));
        String user = config.getOrDefault("User", List.of("")).get(0);
        return new UnpackedImage(rootfs, config.getOrDefault("Entrypoint", List.of()), config.getOrDefault("Cmd", List.of()),
                config.getOrDefault("Env", List.of()), user, config);
    }

    /** The first object of manifest.json's array: string fields and string-array fields. */
    private static Map<String, Object> firstObject(String json) throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            expect(p.nextToken(), JsonToken.START_ARRAY);
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_ARRAY) {
                    List<String> items = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) items.add(p.getText());
                    result.put(name, items);
                } else {
                    result.put(name, p.getText());
                }
            }
        }
        return result;
    }

    /** The string and string-array fields of the image config's "config" object (User as a one-item list). */
    private static Map<String, List<String>> configArrays(String json) throws IOException {
        Map<String, List<String>> result = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!name.equals("config")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.START_ARRAY) {
                        List<String> items = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) items.add(p.getText());
                        result.put(field, items);
                    } else if (value == JsonToken.VALUE_STRING) {
                        result.put(field, List.of(p.getText()));
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        return result;
    }

    private static void expect(JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) throw new IOException("expected " + expected + ", got " + actual);
    }
}
