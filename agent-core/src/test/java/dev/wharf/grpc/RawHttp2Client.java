package dev.wharf.grpc;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/** A raw HTTP/2 client for frame-level tests: writes whatever frames a test wants and reads the server's. */
final class RawHttp2Client implements AutoCloseable {
  record Frame(int type, int flags, int streamId, byte[] payload) {
    int errorCode() {
      // GOAWAY: last stream id then error code; RST_STREAM: error code
      return ByteBuffer.wrap(payload, type == Http2Connection.GOAWAY ? 4 : 0, 4).getInt();
    }

    String goAwayDebug() {
      return new String(payload, 8, payload.length - 8, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final HpackEncoder encoder = new HpackEncoder();

  RawHttp2Client(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
  }

  /** Preface and an empty SETTINGS frame. */
  RawHttp2Client start() throws IOException {
    out.write(Http2Connection.PREFACE);
    frame(Http2Connection.SETTINGS, 0, 0, new byte[0]);
    return this;
  }

  void raw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    frameHeader(payload.length, type, flags, streamId);
    out.write(payload);
    out.flush();
  }

  void frameHeader(int length, int type, int flags, int streamId) throws IOException {
    out.write(new byte[] {(byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type, (byte) flags,
        (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8), (byte) streamId});
  }

  /** A header block for a gRPC request to {@code path}, plus extra name/value pairs. */
  byte[] requestHeaders(String path, String... extra) {
    String[] fields = new String[8 + extra.length];
    String[] base = {":method", "POST", ":scheme", "http", ":path", path, "content-type", "application/grpc"};
    System.arraycopy(base, 0, fields, 0, 8);
    System.arraycopy(extra, 0, fields, 8, extra.length);
    byte[] b = encoder.encode(fields, fields.length);
    return java.util.Arrays.copyOf(b, encoder.length());
  }

  static byte[] grpcMessage(byte[] message) {
    byte[] framed = new byte[5 + message.length];
    ByteBuffer.wrap(framed, 1, 4).putInt(message.length);
    System.arraycopy(message, 0, framed, 5, message.length);
    return framed;
  }

  static byte[] int32(int v) {
    return ByteBuffer.allocate(4).putInt(v).array();
  }

  /** The next frame; null at end of stream. */
  Frame read() throws IOException {
    byte[] h = new byte[9];
    try {
      in.readFully(h);
    } catch (java.io.EOFException e) {
      return null;
    }
    int length = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
    byte[] p = new byte[length];
    in.readFully(p);
    return new Frame(h[3] & 0xff, h[4] & 0xff, ByteBuffer.wrap(h, 5, 4).getInt() & 0x7fffffff, p);
  }

  /** Reads until a frame of {@code type} (skipping others); null if the connection ends first. */
  Frame readUntil(int type) throws IOException {
    while (true) {
      Frame f;
      try {
        f = read();
      } catch (java.net.SocketException e) {
        return null; // reset by the server
      }
      if (f == null || f.type() == type) {
        return f;
      }
    }
  }

  /** True when the server closed the connection (EOF or reset) within the socket timeout. */
  boolean closedByServer() throws IOException {
    try {
      while (read() != null) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
