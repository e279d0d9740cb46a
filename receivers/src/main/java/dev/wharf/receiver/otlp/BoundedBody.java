package dev.wharf.receiver.otlp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Reads a request body, decoding its Content-Encoding, and stops as soon as the decoded size passes
 * the limit: a gzip bomb costs at most {@code limit} bytes of memory, never its inflated size.
 */
final class BoundedBody {
  private BoundedBody() {}

  /** The decoded body is larger than allowed. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message, null);
    }
  }

  /** The Content-Encoding is not one the server decodes. */
  static final class UnsupportedEncodingException extends IOException {
    private static final long serialVersionUID = 1L;

    UnsupportedEncodingException(String message) {
      super(message);
    }
  }

  /**
   * {@code raw} limited to {@code limit} bytes, as upstream limits the body before decompression
   * (an encoded body is never legitimately larger than its decoded limit, give or take framing).
   */
  static InputStream limited(InputStream raw, long limit) {
    return new java.io.FilterInputStream(raw) {
      private long left = limit;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int r = read(one, 0, 1);
        return r < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        int r = super.read(b, off, (int) Math.min(len, left + 1));
        if (r > 0) {
          left -= r;
          if (left < 0) {
            throw new TooLargeException("request body is larger than max_request_body_size (" + limit + " bytes)");
          }
        }
        return r;
      }

      @Override
      public void close() {
        // the exchange owns the request stream; it is drained and closed with the exchange
      }
    };
  }

  /** Wraps {@code raw} to decode {@code encoding} (null or empty = identity). */
  static InputStream decoding(InputStream raw, String encoding) throws IOException {
    if (encoding == null || encoding.isEmpty()) {
      return raw;
    }
    switch (encoding) {
      case "gzip":
        return new GZIPInputStream(raw, 8192);
      case "zlib":
      case "deflate":
        return new InflaterInputStream(raw, new java.util.zip.Inflater(), 8192);
      default:
        throw new UnsupportedEncodingException("unsupported Content-Encoding: \"" + encoding + "\"");
    }
  }

  /**
   * Reads {@code in} fully, at most {@code limit} bytes; {@code sizeHint} (Content-Length of an
   * unencoded body, else -1) presizes the buffer.
   */
  static byte[] read(InputStream in, long limit, long sizeHint) throws IOException {
    int initial = (int) Math.min(limit + 1, sizeHint > 0 ? sizeHint + 1 : 16 * 1024);
    byte[] buf = new byte[Math.max(initial, 16)];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (n > limit) {
          throw new TooLargeException("request body is larger than max_request_body_size (" + limit + " bytes)");
        }
        buf = Arrays.copyOf(buf, (int) Math.min(limit + 1, Math.max(16L, (long) buf.length * 2)));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        break;
      }
      n += r;
      if (n > limit) {
        throw new TooLargeException("request body is larger than max_request_body_size (" + limit + " bytes)");
      }
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }
}
