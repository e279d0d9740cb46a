package dev.wharf.image;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One file, directory or symlink of an image layer, with the ownership and mode it has in the
 * image (not on the build machine). Exactly one of {@code source} and {@code content} is set for
 * a regular file.
 */
public record LayerEntry(String path, Type type, int mode, int uid, int gid, Path source, byte[] content,
                         String linkTarget) {
    public enum Type { FILE, DIRECTORY, SYMLINK }

    public LayerEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        if (!path.startsWith("/") || path.endsWith("/") && path.length() > 1 || path.contains("//")) {
            throw new IllegalArgumentException("image path must be absolute and normalised: " + path);
        }
        if (type == Type.FILE && (source == null) == (content == null)) {
            throw new IllegalArgumentException(path + ": a file needs exactly one of source and content");
        }
    }

    public static LayerEntry file(String path, int mode, Path source) {
        return new LayerEntry(path, Type.FILE, mode, 0, 0, source, null, null);
    }

    public static LayerEntry file(String path, int mode, byte[] content) {
        return new LayerEntry(path, Type.FILE, mode, 0, 0, null, content, null);
    }

    public static LayerEntry directory(String path, int mode, int uid, int gid) {
        return new LayerEntry(path, Type.DIRECTORY, mode, uid, gid, null, null, null);
    }

    public static LayerEntry symlink(String path, String target) {
        return new LayerEntry(path, Type.SYMLINK, 0777, 0, 0, null, null, target);
    }

    /** Name inside the layer tar: relative, as docker and OCI expect ("etc/passwd"). */
    public String tarName() {
        return path.substring(1);
    }
}
