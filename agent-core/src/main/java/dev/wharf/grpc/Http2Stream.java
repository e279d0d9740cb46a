package dev.wharf.grpc;

import java.util.Arrays;

/**
 * One request stream: the request message being assembled (reader thread), flow-control windows and the
 * response state shared with the executor thread that answers it. Runnable: the call itself, on the executor.
 */
final class Http2Stream implements Runnable {
  private static final int OPEN = 0;
  private static final int RESPONDING = 1;
  private static final int DONE = 2;
  private static final byte[] EMPTY = new byte[0];
  /** First allocation for a message; it grows with the data actually received, never beyond the declared length. */
  private static final int INITIAL_BUFFER = 16 * 1024;

  final Http2Connection connection;
  final int id;
  UnaryHandler handler;
  String method;
  boolean gzip;
  /** System.nanoTime() deadline from grpc-timeout; valid when hasDeadline. */
  long deadlineNanos;
  boolean hasDeadline;

  // inbound, reader thread only
  int recvWindow;
  int recvUnacked;
  volatile boolean remoteClosed;
  private final byte[] prefix = new byte[5];
  private int prefixLength;
  private byte[] message;
  private int messageLength;
  private int filled;
  boolean compressed;

  // outbound window, guarded by connection's flow lock
  long sendWindow;

  private int state = OPEN;

  Http2Stream(Http2Connection connection, int id, int recvWindow, long sendWindow) {
    this.connection = connection;
    this.id = id;
    this.recvWindow = recvWindow;
    this.sendWindow = sendWindow;
  }

  /** Result of {@link #append}: more data welcome, or the request is refused with this status and message. */
  static final class Refusal {
    final int code;
    final String message;

    Refusal(int code, String message) {
      this.code = code;
      this.message = message;
    }
  }

  /**
   * Adds DATA payload to the request. Returns null to go on, or a refusal: a message over the size limit (told by
   * its length prefix, before any of it is buffered), a second message, a malformed prefix.
   */
  Refusal append(byte[] data, int off, int len, int maxMessageSize) {
    while (len > 0) {
      if (message == null) {
        int n = Math.min(5 - prefixLength, len);
        System.arraycopy(data, off, prefix, prefixLength, n);
        prefixLength += n;
        off += n;
        len -= n;
        if (prefixLength < 5) {
          return null;
        }
        int flag = prefix[0] & 0xff;
        long length = ((prefix[1] & 0xffL) << 24) | ((prefix[2] & 0xff) << 16) | ((prefix[3] & 0xff) << 8)
            | (prefix[4] & 0xff);
        if (flag > 1) {
          return new Refusal(GrpcStatus.INTERNAL, "gRPC frame header malformed: reserved bits not zero");
        }
        if (flag == 1 && !gzip) {
          return new Refusal(GrpcStatus.INTERNAL,
              "Can't decode compressed gRPC message as compression not configured");
        }
        if (length > maxMessageSize) {
          return new Refusal(GrpcStatus.RESOURCE_EXHAUSTED,
              "gRPC message exceeds maximum size " + maxMessageSize + ": " + length);
        }
        compressed = flag == 1;
        messageLength = (int) length;
        message = messageLength == 0 ? EMPTY : new byte[Math.min(messageLength, INITIAL_BUFFER)];
        filled = 0;
      } else if (filled == messageLength) {
        // unary: one request message only (grpc-java's ServerCalls wording)
        return new Refusal(GrpcStatus.INTERNAL, "Too many requests");
      } else {
        int n = Math.min(messageLength - filled, len);
        if (filled + n > message.length) {
          message = Arrays.copyOf(message, (int) Math.min(messageLength, Math.max(2L * message.length, filled + n)));
        }
        System.arraycopy(data, off, message, filled, n);
        filled += n;
        off += n;
        len -= n;
      }
    }
    return null;
  }

  /** At end of stream: null when exactly one whole message arrived, else why not. */
  Refusal endOfRequest() {
    if (message == null && prefixLength == 0) {
      return new Refusal(GrpcStatus.INTERNAL, "Half-closed without a request");
    }
    if (message == null || filled < messageLength) {
      return new Refusal(GrpcStatus.INTERNAL, "Encountered end-of-stream mid-frame");
    }
    return null;
  }

  /** The complete request message; releases it. */
  byte[] takeMessage() {
    byte[] m = message;
    message = null;
    return m;
  }

  /** The responder claims the stream; false when it was cancelled or already answered. */
  synchronized boolean claimResponse() {
    if (state != OPEN) {
      return false;
    }
    state = RESPONDING;
    return true;
  }

  /** Ends the stream; true for the one caller that ends it (and so reports the call). */
  synchronized boolean finish() {
    if (state == DONE) {
      return false;
    }
    state = DONE;
    return true;
  }

  synchronized boolean isDone() {
    return state == DONE;
  }

  @Override
  public void run() {
    connection.runCall(this);
  }
}
