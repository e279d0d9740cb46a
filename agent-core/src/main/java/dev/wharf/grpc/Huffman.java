package dev.wharf.grpc;

import java.io.ByteArrayOutputStream;

/**
 * The HPACK Huffman code (RFC 7541 Appendix B). The code is canonical: codes of one length are consecutive and
 * follow symbol order, so the table is given as the code length of each symbol (0..255 and EOS = 256) and the
 * codes are derived from it.
 */
final class Huffman {
  private Huffman() {}

  static final int EOS = 256;

  /** Bit length of each symbol's code, transcribed from RFC 7541 Appendix B. */
  private static final byte[] LENGTHS = {
      13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28,
      28, 28, 28, 28,
      6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
      13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
      15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
      20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23,
      22, 23, 23, 24,
      22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22,
      23, 22, 22, 23,
      26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26,
      28, 27, 27, 27,
      20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27,
      27, 27, 27, 26,
      30};

  /** Code of each symbol, right-aligned in {@link #LENGTHS} bits. */
  static final int[] CODES = new int[257];

  /**
   * Decoding tree: node n has children {@code TREE[2n]} (bit 0) and {@code TREE[2n+1]} (bit 1); a positive child is
   * an inner node, a negative one the leaf {@code -(symbol + 1)}. Node 0 is the root.
   */
  private static final int[] TREE;

  static {
    int code = 0;
    for (int len = 1; len <= 30; len++) {
      for (int sym = 0; sym <= EOS; sym++) {
        if (LENGTHS[sym] == len) {
          CODES[sym] = code++;
        }
      }
      code <<= 1;
    }
    int[] tree = new int[2 * 512];
    int nodes = 1;
    for (int sym = 0; sym <= EOS; sym++) {
      int node = 0;
      for (int i = LENGTHS[sym] - 1; i >= 0; i--) {
        int slot = 2 * node + ((CODES[sym] >>> i) & 1);
        if (i == 0) {
          tree[slot] = -(sym + 1);
        } else {
          if (tree[slot] == 0) {
            tree[slot] = nodes++;
          }
          node = tree[slot];
        }
      }
    }
    TREE = tree;
  }

  /**
   * Decodes a Huffman-coded string literal into octets (as ISO-8859-1 chars, one per octet). EOS in the data,
   * padding longer than 7 bits or padding not made of 1s are COMPRESSION_ERRORs (RFC 7541 section 5.2).
   */
  static String decode(byte[] src, int off, int len) throws Http2Exception {
    char[] out = new char[len * 8 / 5 + 1];
    int n = 0;
    int node = 0;
    int pendingBits = 0;
    boolean allOnes = true;
    for (int i = off; i < off + len; i++) {
      int b = src[i] & 0xff;
      for (int shift = 7; shift >= 0; shift--) {
        int bit = (b >>> shift) & 1;
        int next = TREE[2 * node + bit];
        if (next < 0) {
          int sym = -next - 1;
          if (sym == EOS) {
            throw Http2Exception.connection(Http2Connection.COMPRESSION_ERROR, "HPACK: EOS in a Huffman string");
          }
          out[n++] = (char) sym;
          node = 0;
          pendingBits = 0;
          allOnes = true;
        } else {
          node = next;
          pendingBits++;
          allOnes &= bit == 1;
        }
      }
    }
    if (pendingBits > 7 || !allOnes) {
      throw Http2Exception.connection(Http2Connection.COMPRESSION_ERROR, "HPACK: bad Huffman padding");
    }
    return new String(out, 0, n);
  }

  /** Huffman-encodes octets (the server's encoder does not use it; kept small for tests and completeness). */
  static byte[] encode(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
    long acc = 0;
    int bits = 0;
    for (byte d : data) {
      int sym = d & 0xff;
      acc = (acc << LENGTHS[sym]) | CODES[sym];
      bits += LENGTHS[sym];
      while (bits >= 8) {
        bits -= 8;
        out.write((int) (acc >>> bits));
      }
    }
    if (bits > 0) {
      out.write((int) ((acc << (8 - bits)) | (0xff >>> bits)));
    }
    return out.toByteArray();
  }
}
