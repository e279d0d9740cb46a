package dev.wharf.grpc;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HPACK decoder (RFC 7541): static and dynamic tables, size updates, integers, literals with and without
 * Huffman coding. One per connection, used by its reader thread only. Names and values are octet strings
 * (ISO-8859-1 chars), so a string's length is its size in octets.
 */
final class HpackDecoder {
  static final String[] STATIC_NAMES = {null,
      ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status", ":status",
      ":status", ":status", ":status", ":status", "accept-charset", "accept-encoding", "accept-language",
      "accept-ranges", "accept", "access-control-allow-origin", "age", "allow", "authorization", "cache-control",
      "content-disposition", "content-encoding", "content-language", "content-length", "content-location",
      "content-range", "content-type", "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match",
      "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "link", "location",
      "max-forwards", "proxy-authenticate", "proxy-authorization", "range", "referer", "refresh", "retry-after",
      "server", "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via",
      "www-authenticate"};
  static final String[] STATIC_VALUES = new String[62];

  static {
    for (int i = 1; i < STATIC_VALUES.length; i++) {
      STATIC_VALUES[i] = "";
    }
    STATIC_VALUES[2] = "GET";
    STATIC_VALUES[3] = "POST";
    STATIC_VALUES[4] = "/";
    STATIC_VALUES[5] = "/index.html";
    STATIC_VALUES[6] = "http";
    STATIC_VALUES[7] = "https";
    STATIC_VALUES[8] = "200";
    STATIC_VALUES[9] = "204";
    STATIC_VALUES[10] = "206";
    STATIC_VALUES[11] = "304";
    STATIC_VALUES[12] = "400";
    STATIC_VALUES[13] = "404";
    STATIC_VALUES[14] = "500";
    STATIC_VALUES[16] = "gzip, deflate";
  }

  private static final int STATIC_COUNT = 61;
  private static final int ENTRY_OVERHEAD = 32;

  /** The most the peer may use: our SETTINGS_HEADER_TABLE_SIZE (we advertise the default). */
  private final int maxAllowedTableSize;
  private final int maxHeaderListSize;
  private int maxTableSize;
  private int tableSize;
  /** Ring buffer, newest entry at {@code head}; capacity bounds the entry count (each entry is >= 32 octets). */
  private final String[] names;
  private final String[] values;
  private int head;
  private int count;

  // per-block cursor
  private byte[] buf;
  private int pos;
  private int end;

  HpackDecoder(int maxTableSize, int maxHeaderListSize) {
    this.maxAllowedTableSize = maxTableSize;
    this.maxTableSize = maxTableSize;
    this.maxHeaderListSize = maxHeaderListSize;
    int capacity = Math.max(1, maxTableSize / ENTRY_OVERHEAD);
    names = new String[capacity];
    values = new String[capacity];
  }

  /**
   * Decodes one complete header block, appending name, value, name, value ... to {@code out}. When the decoded
   * list grows beyond the header list size limit the block is still decoded to the end (the dynamic table must
   * stay in step with the peer's) but nothing more is added, and false is returned.
   *
   * @throws Http2Exception COMPRESSION_ERROR (a connection error) for an undecodable block
   */
  boolean decode(byte[] block, int off, int len, List<String> out) throws Http2Exception {
    buf = block;
    pos = off;
    end = off + len;
    long listSize = 0;
    boolean fits = true;
    boolean fieldSeen = false;
    try {
      while (pos < end) {
        int b = buf[pos] & 0xff;
        String name;
        String value;
        if ((b & 0x80) != 0) {
          int index = readInt(7);
          if (index == 0) {
            throw error("index 0");
          }
          name = name(index);
          value = value(index);
        } else if ((b & 0x40) != 0) {
          int index = readInt(6);
          name = index == 0 ? readString() : name(index);
          value = readString();
          add(name, value);
        } else if ((b & 0x20) != 0) {
          if (fieldSeen) {
            throw error("dynamic table size update after a header field");
          }
          int size = readInt(5);
          if (size > maxAllowedTableSize) {
            throw error("dynamic table size update to " + size + " exceeds " + maxAllowedTableSize);
          }
          maxTableSize = size;
          evict(size);
          continue;
        } else {
          // literal without indexing (0000) or never indexed (0001): same for a decoder that keeps no copies
          int index = readInt(4);
          name = index == 0 ? readString() : name(index);
          value = readString();
        }
        fieldSeen = true;
        listSize += name.length() + value.length() + ENTRY_OVERHEAD;
        if (listSize > maxHeaderListSize) {
          fits = false;
        }
        if (fits) {
          out.add(name);
          out.add(value);
        }
      }
    } finally {
      buf = null;
    }
    return fits;
  }

  int tableSize() {
    return tableSize;
  }

  int entryCount() {
    return count;
  }

  private static Http2Exception error(String why) {
    return Http2Exception.connection(Http2Connection.COMPRESSION_ERROR, "HPACK: " + why);
  }

  private int readInt(int prefixBits) throws Http2Exception {
    int max = (1 << prefixBits) - 1;
    int value = buf[pos++] & max;
    if (value < max) {
      return value;
    }
    long v = value;
    int shift = 0;
    int b;
    do {
      if (pos >= end) {
        throw error("truncated integer");
      }
      b = buf[pos++] & 0xff;
      v += (long) (b & 0x7f) << shift;
      shift += 7;
      if (v > Integer.MAX_VALUE || shift > 35) {
        throw error("integer overflow");
      }
    } while ((b & 0x80) != 0);
    return (int) v;
  }

  private String readString() throws Http2Exception {
    if (pos >= end) {
      throw error("truncated string");
    }
    boolean huffman = (buf[pos] & 0x80) != 0;
    int len = readInt(7);
    if (len > end - pos) {
      throw error("string longer than the block");
    }
    String s = huffman ? Huffman.decode(buf, pos, len) : new String(buf, pos, len, StandardCharsets.ISO_8859_1);
    pos += len;
    return s;
  }

  private String name(int index) throws Http2Exception {
    if (index <= STATIC_COUNT) {
      return STATIC_NAMES[index];
    }
    return names[slot(index)];
  }

  private String value(int index) throws Http2Exception {
    if (index <= STATIC_COUNT) {
      return STATIC_VALUES[index];
    }
    return values[slot(index)];
  }

  private int slot(int index) throws Http2Exception {
    int i = index - STATIC_COUNT - 1;
    if (i >= count) {
      throw error("index " + index + " out of range");
    }
    return Math.floorMod(head - i, names.length);
  }

  private void add(String name, String value) {
    int size = name.length() + value.length() + ENTRY_OVERHEAD;
    if (size > maxTableSize) {
      // RFC 7541 4.4: an entry larger than the table empties it and is not added
      evict(0);
      return;
    }
    evict(maxTableSize - size);
    head = (head + 1) % names.length;
    names[head] = name;
    values[head] = value;
    count++;
    tableSize += size;
  }

  /**
   * Evicts the oldest entries until the table holds at most {@code limit} octets. The ring never overflows: every
   * entry takes at least 32 octets, and the ring has room for maxAllowedTableSize / 32 of them.
   */
  private void evict(int limit) {
    while (count > 0 && tableSize > limit) {
      int oldest = Math.floorMod(head - count + 1, names.length);
      tableSize -= names[oldest].length() + values[oldest].length() + ENTRY_OVERHEAD;
      names[oldest] = null;
      values[oldest] = null;
      count--;
    }
  }
}
