package dev.wharf.grpc;

import java.util.Arrays;

/**
 * HPACK encoder for the few headers a gRPC server sends: static-table indexes and literals without indexing, no
 * Huffman (RFC 7541 allows both). It never adds to the peer's dynamic table, and opens the first block with a
 * size update to 0 so that later changes of the peer's SETTINGS_HEADER_TABLE_SIZE need no signalling. Not
 * thread-safe: the connection uses it under its write lock.
 */
final class HpackEncoder {
  private byte[] buf = new byte[256];
  private int len;
  private boolean sizeUpdateSent;

  /** Encodes name, value, name, value ... (octet strings: chars 0..255); the result is valid until the next call. */
  byte[] encode(String[] fields, int count) {
    len = 0;
    if (!sizeUpdateSent) {
      sizeUpdateSent = true;
      writeInt(0x20, 5, 0);
    }
    for (int i = 0; i < count; i += 2) {
      String name = fields[i];
      String value = fields[i + 1];
      if (name.equals(":status")) {
        if (value.equals("200")) {
          writeInt(0x80, 7, 8); // indexed: ":status: 200"
          continue;
        }
        writeInt(0x00, 4, 8);
      } else if (name.equals("content-type")) {
        writeInt(0x00, 4, 31);
      } else {
        writeInt(0x00, 4, 0);
        writeString(name);
      }
      writeString(value);
    }
    return buf;
  }

  /** Length of the last encoded block. */
  int length() {
    return len;
  }

  private void writeString(String s) {
    writeInt(0x00, 7, s.length());
    ensure(s.length());
    for (int i = 0; i < s.length(); i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void writeInt(int firstByteFlags, int prefixBits, int value) {
    ensure(6);
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      buf[len++] = (byte) (firstByteFlags | value);
      return;
    }
    buf[len++] = (byte) (firstByteFlags | max);
    value -= max;
    while (value >= 0x80) {
      buf[len++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    buf[len++] = (byte) value;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
