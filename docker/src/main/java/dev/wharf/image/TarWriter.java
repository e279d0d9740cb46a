package dev.wharf.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX (ustar + pax) tar stream with exactly the metadata it is given: no host user
 * names, no host timestamps, so the same inputs give the same bytes (reproducible layers).
 * Names longer than ustar allows get a pax {@code path} / {@code linkpath} record.
 */
public final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;

    private final OutputStream out;
    private long written;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    public void directory(String name, int mode, int uid, int gid, long mtime) throws IOException {
        header(withSlash(name), '5', mode, uid, gid, 0, mtime, "");
    }

    public void file(String name, int mode, int uid, int gid, long mtime, byte[] content) throws IOException {
        header(name, '0', mode, uid, gid, content.length, mtime, "");
        write(content, 0, content.length);
        pad(content.length);
    }

    /** Starts a regular file whose {@code size} bytes the caller then writes through {@link #body()}. */
    public OutputStream fileStream(String name, int mode, int uid, int gid, long mtime, long size) throws IOException {
        header(name, '0', mode, uid, gid, size, mtime, "");
        return new OutputStream() {
            private long remaining = size;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > remaining) {
                    throw new IOException(name + ": more bytes than the declared size " + size);
                }
                TarWriter.this.write(b, off, len);
                remaining -= len;
            }

            @Override
            public void close() throws IOException {
                if (remaining != 0) {
                    throw new IOException(name + ": " + remaining + " bytes missing of the declared size " + size);
                }
                pad(size);
            }
        };
    }

    public void symlink(String name, String target, int uid, int gid, long mtime) throws IOException {
        header(name, '2', 0777, uid, gid, 0, mtime, target);
    }

    @Override
    public void close() throws IOException {
        // Two zero blocks end the archive.
        write(new byte[BLOCK * 2], 0, BLOCK * 2);
        out.flush();
    }

    public long bytesWritten() {
        return written;
    }

    private static String withSlash(String name) {
        return name.endsWith("/") ? name : name + "/";
    }

    private void header(String name, char type, int mode, int uid, int gid, long size, long mtime, String link)
            throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] linkBytes = link.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || linkBytes.length > 100) {
            StringBuilder pax = new StringBuilder();
            if (nameBytes.length > 100) pax.append(paxRecord("path", name));
            if (linkBytes.length > 100) pax.append(paxRecord("linkpath", link));
            byte[] paxBytes = pax.toString().getBytes(StandardCharsets.UTF_8);
            writeHeader(truncate("PaxHeaders/" + name), 'x', 0644, 0, 0, paxBytes.length, mtime, "");
            write(paxBytes, 0, paxBytes.length);
            pad(paxBytes.length);
        }
        writeHeader(truncate(name), type, mode, uid, gid, size, mtime, truncate(link));
    }

    private static String truncate(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= 100 ? s : new String(Arrays.copyOf(bytes, 100), StandardCharsets.ISO_8859_1);
    }

    /** A pax record is "LEN key=value\n" where LEN counts the whole record including itself. */
    static String paxRecord(String key, String value) {
        int body = key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length + 3;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++;
        }
        return length + " " + key + "=" + value + "\n";
    }

    private void writeHeader(String name, char type, int mode, int uid, int gid, long size, long mtime, String link)
            throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, name);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = (byte) type;
        put(h, 157, 100, link);
        put(h, 257, 6, "ustar");
        h[262] = 0;
        h[263] = '0';
        h[264] = '0';
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        write(h, 0, BLOCK);
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bytes, 0, h, offset, Math.min(bytes.length, length));
    }

    /** Zero-padded octal in {@code length - 1} digits followed by NUL. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > length - 1) {
            throw new IllegalArgumentException("value " + value + " does not fit a tar field of " + length);
        }
        String padded = "0".repeat(length - 1 - digits.length()) + digits;
        put(h, offset, length - 1, padded);
        h[offset + length - 1] = 0;
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) {
            write(new byte[BLOCK - rest], 0, BLOCK - rest);
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        written += len;
    }
}
