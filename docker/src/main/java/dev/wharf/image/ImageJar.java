package dev.wharf.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The copy of wharf.jar that goes into the image: native libraries for other platforms removed
 * (grpc-netty-shaded carries tcnative for macOS, Windows and other CPUs), entry times fixed so the
 * layer is reproducible, and entries stored uncompressed when {@code store} is set: the layer is
 * gzip-compressed by the registry anyway, and classes then load without inflating.
 */
final class ImageJar {
    /** DOS time of every entry; ZIP has no time zone, so a local time is written verbatim. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0, 2);

    private ImageJar() {}

    record Result(int kept, int removed, long bytes) {}

    static Result write(Path source, Path target, String arch, boolean store) throws IOException {
        int kept = 0;
        int removed = 0;
        try (ZipFile zip = new ZipFile(source.toFile());
             ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(target), 1 << 16))) {
            List<? extends ZipEntry> entries = Collections.list((Enumeration<? extends ZipEntry>) zip.entries());
            List<ZipEntry> ordered = new ArrayList<>(entries);
            for (ZipEntry entry : ordered) {
                if (isForeignNative(entry.getName(), arch)) {
                    removed++;
                    continue;
                }
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTimeLocal(ENTRY_TIME);
                if (store || entry.isDirectory()) {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(bytes.length);
                    copy.setCompressedSize(bytes.length);
                    copy.setCrc(crc.getValue());
                } else {
                    copy.setMethod(ZipEntry.DEFLATED);
                }
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
                kept++;
            }
        }
        return new Result(kept, removed, Files.size(target));
    }

    /**
     * True for a bundled native library (netty's META-INF/native/ convention) that cannot load on
     * Linux with CPU {@code arch} (netty's spelling: "x86_64" or "aarch_64"): a .dll, a .jnilib, or a
     * .so whose name ends in another CPU ("..._linux_aarch_64.so", "..._epoll_aarch_64.so").
     */
    static boolean isForeignNative(String name, String arch) {
        if (!name.startsWith("META-INF/native/") || name.endsWith("/")) return false;
        String file = name.substring(name.lastIndexOf('/') + 1);
        return !(file.endsWith("_" + arch + ".so"));
    }
}
