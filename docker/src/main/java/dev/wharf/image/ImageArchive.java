package dev.wharf.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes an image as one tarball that is both a {@code docker load} archive (manifest.json) and
 * an OCI image layout (oci-layout, index.json, blobs/sha256/...), the same shape {@code docker save}
 * produces since Docker 25. Layers are stored uncompressed once and referenced by both indexes.
 * Nothing from the build machine's clock or users leaks in, so equal inputs give equal bytes.
 */
public final class ImageArchive {
    /** The mtime of every entry (seconds since the epoch). */
    private final long mtime;

    public ImageArchive(long mtime) {
        this.mtime = mtime;
    }

    /** What was written: digests and sizes per layer, for reports and tests. */
    public record Result(Path archive, String configDigest, String manifestDigest, List<LayerInfo> layers) {
        public long uncompressedBytes() {
            return layers.stream().mapToLong(LayerInfo::size).sum();
        }

        public long gzipBytes() {
            return layers.stream().mapToLong(LayerInfo::gzipSize).sum();
        }
    }

    public record LayerInfo(String name, String diffId, long size, long gzipSize, int entries) {}

    public Result write(List<Layer> layers, ImageConfig config, Path archive, Path scratchDir) throws IOException {
        Files.createDirectories(scratchDir);
        List<LayerInfo> infos = new ArrayList<>();
        List<Path> layerFiles = new ArrayList<>();
        for (Layer layer : layers) {
            Path file = scratchDir.resolve(layer.name() + ".tar");
            infos.add(writeLayer(layer, file));
            layerFiles.add(file);
        }
        byte[] configJson = configJson(config, infos);
        String configDigest = sha256(configJson);
        byte[] manifestJson = ociManifest(configDigest, configJson.length, infos);
        String manifestDigest = sha256(manifestJson);

        Files.createDirectories(archive.toAbsolutePath().getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(archive), 1 << 16);
             TarWriter tar = new TarWriter(out)) {
            tar.directory("blobs", 0755, 0, 0, mtime);
            tar.directory("blobs/sha256", 0755, 0, 0, mtime);
            // Sorted by digest, like docker save; each digest once even if two layers are equal.
            TreeMap<String, Object> blobs = new TreeMap<>();
            for (int i = 0; i < infos.size(); i++) {
                blobs.putIfAbsent(hex(infos.get(i).diffId()), layerFiles.get(i));
            }
            blobs.put(hex(configDigest), configJson);
            blobs.put(hex(manifestDigest), manifestJson);
            for (var blob : blobs.entrySet()) {
                String name = "blobs/sha256/" + blob.getKey();
                if (blob.getValue() instanceof byte[] bytes) {
                    tar.file(name, 0644, 0, 0, mtime, bytes);
                } else {
                    Path file = (Path) blob.getValue();
                    try (OutputStream body = tar.fileStream(name, 0644, 0, 0, mtime, Files.size(file))) {
                        Files.copy(file, body);
                    }
                }
            }
            tar.file("index.json", 0644, 0, 0, mtime, ociIndex(manifestDigest, manifestJson.length, config));
            tar.file("manifest.json", 0644, 0, 0, mtime, dockerManifest(configDigest, infos, config));
            tar.file("oci-layout", 0644, 0, 0, mtime, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        }
        return new Result(archive, configDigest, manifestDigest, List.copyOf(infos));
    }

    private LayerInfo writeLayer(Layer layer, Path file) throws IOException {
        MessageDigest digest = newSha256();
        CountingOutputStream gzipCount = new CountingOutputStream();
        int count = 0;
        try (OutputStream fileOut = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             GZIPOutputStream gzip = new GZIPOutputStream(gzipCount, 1 << 16) {
                 { def.setLevel(Deflater.DEFAULT_COMPRESSION); }
             };
             OutputStream tee = new TeeOutputStream(new DigestOutputStream(fileOut, digest), gzip);
             TarWriter tar = new TarWriter(tee)) {
            for (LayerEntry entry : layer.sortedEntries()) {
                count++;
                switch (entry.type()) {
                    case DIRECTORY -> tar.directory(entry.tarName(), entry.mode(), entry.uid(), entry.gid(), mtime);
                    case SYMLINK -> tar.symlink(entry.tarName(), entry.linkTarget(), entry.uid(), entry.gid(), mtime);
                    case FILE -> {
                        if (entry.content() != null) {
                            tar.file(entry.tarName(), entry.mode(), entry.uid(), entry.gid(), mtime, entry.content());
                        } else {
                            long size = Files.size(entry.source());
                            try (OutputStream body = tar.fileStream(entry.tarName(), entry.mode(), entry.uid(),
                                    entry.gid(), mtime, size);
                                 InputStream in = Files.newInputStream(entry.source())) {
                                in.transferTo(body);
                            }
                        }
                    }
                }
            }
        }
        return new LayerInfo(layer.name(), "sha256:" + HexFormat.of().formatHex(digest.digest()), Files.size(file),
                gzipCount.count, count);
    }

    private byte[] configJson(ImageConfig config, List<LayerInfo> layers) throws IOException {
        return json(g -> {
            g.writeStartObject();
            g.writeStringField("architecture", config.architecture());
            g.writeObjectFieldStart("config");
            g.writeStringField("User", config.user());
            stringArray(g, "Env", config.env());
            stringArray(g, "Entrypoint", config.entrypoint());
            stringArray(g, "Cmd", config.cmd());
            g.writeStringField("WorkingDir", config.workingDir());
            g.writeObjectFieldStart("ExposedPorts");
            for (String port : config.exposedPorts()) {
                g.writeObjectFieldStart(port);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("Labels");
            for (var label : new TreeMap<>(config.labels()).entrySet()) {
                g.writeStringField(label.getKey(), label.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeStringField("created", config.created());
            g.writeArrayFieldStart("history");
            for (LayerInfo layer : layers) {
                g.writeStartObject();
                g.writeStringField("created", config.created());
                g.writeStringField("created_by", "wharf image builder: " + layer.name());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("os", "linux");
            g.writeObjectFieldStart("rootfs");
            g.writeStringField("type", "layers");
            g.writeArrayFieldStart("diff_ids");
            for (LayerInfo layer : layers) g.writeString(layer.diffId());
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static byte[] ociManifest(String configDigest, long configSize, List<LayerInfo> layers) throws IOException {
        return json(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", 2);
            g.writeStringField("mediaType", "application/vnd.oci.image.manifest.v1+json");
            descriptor(g, "config", "application/vnd.oci.image.config.v1+json", configDigest, configSize);
            g.writeArrayFieldStart("layers");
            for (LayerInfo layer : layers) {
                descriptor(g, null, "application/vnd.oci.image.layer.v1.tar", layer.diffId(), layer.size());
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static byte[] ociIndex(String manifestDigest, long manifestSize, ImageConfig config) throws IOException {
        return json(g -> {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", 2);
            g.writeStringField("mediaType", "application/vnd.oci.image.index.v1+json");
            g.writeArrayFieldStart("manifests");
            g.writeStartObject();
            g.writeStringField("mediaType", "application/vnd.oci.image.manifest.v1+json");
            g.writeStringField("digest", manifestDigest);
            g.writeNumberField("size", manifestSize);
            g.writeObjectFieldStart("annotations");
            if (!config.repoTags().isEmpty()) {
                String tag = config.repoTags().get(0);
                g.writeStringField("io.containerd.image.name", tag);
                g.writeStringField("org.opencontainers.image.ref.name", tag.substring(tag.lastIndexOf(':') + 1));
            }
            g.writeEndObject();
            g.writeObjectFieldStart("platform");
            g.writeStringField("architecture", config.architecture());
            g.writeStringField("os", "linux");
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static byte[] dockerManifest(String configDigest, List<LayerInfo> layers, ImageConfig config)
            throws IOException {
        return json(g -> {
            g.writeStartArray();
            g.writeStartObject();
            g.writeStringField("Config", "blobs/sha256/" + hex(configDigest));
            stringArray(g, "RepoTags", config.repoTags());
            g.writeArrayFieldStart("Layers");
            for (LayerInfo layer : layers) g.writeString("blobs/sha256/" + hex(layer.diffId()));
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    private static void descriptor(JsonGenerator g, String field, String mediaType, String digest, long size)
            throws IOException {
        if (field == null) g.writeStartObject();
        else g.writeObjectFieldStart(field);
        g.writeStringField("mediaType", mediaType);
        g.writeStringField("digest", digest);
        g.writeNumberField("size", size);
        g.writeEndObject();
    }

    private static void stringArray(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String value : values) g.writeString(value);
        g.writeEndArray();
    }

    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(JsonBody body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = new JsonFactory().createGenerator(bytes)) {
            body.write(g);
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class CountingOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        TeeOutputStream(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                first.close();
            } finally {
                second.close();
            }
        }
    }
}
