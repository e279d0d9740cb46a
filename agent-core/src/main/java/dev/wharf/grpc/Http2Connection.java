package dev.wharf.grpc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/2 connection (RFC 9113, server side) carrying unary gRPC calls. Its reader thread parses frames,
 * decodes headers and assembles request messages; complete calls run on the server's executor, whose threads
 * write the responses. All writes go through one lock and a buffered stream; outbound DATA respects the peer's
 * connection and stream windows.
 */
final class Http2Connection implements Runnable {
  // frame types
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int PRIORITY = 0x2;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PUSH_PROMISE = 0x5;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int CONTINUATION = 0x9;
  // flags
  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;
  static final int FLAG_PADDED = 0x8;
  static final int FLAG_PRIORITY = 0x20;
  // error codes
  static final int NO_ERROR = 0x0;
  static final int PROTOCOL_ERROR = 0x1;
  static final int INTERNAL_ERROR = 0x2;
  static final int FLOW_CONTROL_ERROR = 0x3;
  static final int STREAM_CLOSED = 0x5;
  static final int FRAME_SIZE_ERROR = 0x6;
  static final int REFUSED_STREAM = 0x7;
  static final int CANCEL = 0x8;
  static final int COMPRESSION_ERROR = 0x9;
  static final int ENHANCE_YOUR_CALM = 0xb;
  // settings
  static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
  static final int SETTINGS_ENABLE_PUSH = 0x2;
  static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;

  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
  /** The largest frame we accept: the protocol default, never raised. */
  static final int MAX_FRAME_SIZE = 16384;
  /** Compressed size of one header block (HEADERS + CONTINUATIONs); beyond it the connection is closed. */
  static final int MAX_HEADER_BLOCK = 64 * 1024;
  private static final int DEFAULT_WINDOW = 65535;
  private static final int MAX_WINDOW = Integer.MAX_VALUE;
  /** Time allowed for the TLS handshake and the client preface. */
  private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;
  /** A write blocked this long means a peer that stopped reading: the connection is closed. */
  private static final long WRITE_STALL_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Longest wait for the peer's flow-control window when the call has no deadline. */
  private static final long WINDOW_WAIT_NANOS = TimeUnit.SECONDS.toNanos(20);
  /** Without calls and without permit_without_stream, gRPC allows a client ping every 2 hours. */
  private static final long IMPLICIT_PERMIT_NANOS = TimeUnit.HOURS.toNanos(2);
  private static final int MAX_PING_STRIKES = 2;
  private static final long KEEPALIVE_PING_DATA = 0x7768617266L; // "wharf"
  private static final int MAX_GRPC_MESSAGE_CHARS = 1024;

  private final GrpcServer server;
  private final Socket socket;
  private final int connectionId;
  private final long createdNanos = System.nanoTime();
  private InputStream in;
  /** Set by the reader thread once the TLS handshake is done; null before. */
  private volatile OutputStream out;
  private final AtomicBoolean closed = new AtomicBoolean();

  private final ReentrantLock writeLock = new ReentrantLock();
  private final HpackEncoder encoder = new HpackEncoder();
  private final String[] fields = new String[12];
  private final byte[] frameHeader = new byte[9];
  private volatile long writeStartedNanos;

  /** Outbound flow control; guarded by {@code flow}. */
  private final Object flow = new Object();
  private long connectionSendWindow = DEFAULT_WINDOW;
  private int peerInitialWindow = DEFAULT_WINDOW;
  private volatile int peerMaxFrameSize = 16384;

  private final Map<Integer, Http2Stream> streams = new ConcurrentHashMap<>();
  /** Orders stream creation (reader) against the GOAWAY snapshot of the last stream id (drain). */
  private final Object streamStart = new Object();
  private final HpackDecoder decoder = new HpackDecoder(4096, GrpcServer.MAX_HEADER_LIST_SIZE);
  private final List<String> headerList = new ArrayList<>(24);
  private final byte[] frame = new byte[MAX_FRAME_SIZE];
  private final byte[] readHeader = new byte[9];
  private byte[] headerBlock = new byte[1024];
  private int headerBlockLength;
  private int continuationStreamId;
  private boolean continuationEndStream;
  private boolean continuationBadPriority;

  // reader thread
  private volatile int highestStreamId;
  private int connectionRecvWindow;
  private int connectionRecvUnacked;
  private final int streamWindow;
  private final int connectionWindow;

  // timers and keepalive
  private volatile long lastReadNanos = createdNanos;
  private volatile long idleSinceNanos = createdNanos;
  private volatile boolean pingOutstanding;
  private volatile long pingSentNanos;
  private volatile long lastValidPingNanos = createdNanos;
  private volatile int pingStrikes;
  private volatile boolean draining;
  private volatile int goAwayLastStreamId = Integer.MAX_VALUE;
  private volatile boolean peerGoingAway;
  private volatile long closeAtNanos;
  private volatile boolean closeAtSet;

  Http2Connection(GrpcServer server, Socket socket, int connectionId) {
    this.server = server;
    this.socket = socket;
    this.connectionId = connectionId;
    this.streamWindow = server.initialWindowSize;
    this.connectionWindow = Math.max(DEFAULT_WINDOW, server.initialWindowSize);
    this.connectionRecvWindow = DEFAULT_WINDOW;
  }

  // ------------------------------------------------------------------ reading

  @Override
  public void run() {
    try {
      socket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
      if (socket instanceof SSLSocket) {
        ((SSLSocket) socket).startHandshake();
      }
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      writeInitialSettings(new BufferedOutputStream(socket.getOutputStream(), 8192));
      readPreface();
      readFrameHeader();
      if (frameType() != SETTINGS || (readHeader[4] & FLAG_ACK) != 0) {
        throw Http2Exception.connection(PROTOCOL_ERROR, "the first frame must be SETTINGS");
      }
      socket.setSoTimeout(0);
      handleFrame();
      while (!closed.get()) {
        readFrameHeader();
        handleFrame();
      }
    } catch (Http2Exception e) {
      connectionError(e);
    } catch (SocketTimeoutException e) {
      log("gRPC connection " + connectionId + ": no HTTP/2 preface within the handshake timeout", null);
    } catch (EOFException e) {
      // the peer closed the connection
    } catch (IOException e) {
      if (!closed.get()) {
        log("gRPC connection " + connectionId + " failed: " + e.getMessage(), null);
      }
    } catch (RuntimeException e) {
      log("gRPC connection " + connectionId + ": internal error", e);
      connectionError(Http2Exception.connection(INTERNAL_ERROR, "internal error"));
    } finally {
      close();
    }
  }

  private static void log(String message, Throwable e) {
    GrpcServer.LOG.log(Level.FINE, message, e);
  }

  private void readPreface() throws IOException, Http2Exception {
    byte[] got = new byte[PREFACE.length];
    int n = 0;
    while (n < got.length) {
      int r = in.read(got, n, got.length - n);
      if (r < 0) {
        if (n == 0) {
          throw new EOFException();
        }
        break;
      }
      n += r;
      for (int i = 0; i < n; i++) {
        if (got[i] != PREFACE[i]) {
          throw Http2Exception.connection(PROTOCOL_ERROR, "not an HTTP/2 connection preface (HTTP/2 with prior "
              + "knowledge is required; h2c upgrade is not supported)");
        }
      }
    }
    if (n < got.length) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "truncated connection preface");
    }
  }

  private void readFrameHeader() throws IOException, Http2Exception {
    readFully(readHeader, 9);
    lastReadNanos = System.nanoTime();
    int length = ((readHeader[0] & 0xff) << 16) | ((readHeader[1] & 0xff) << 8) | (readHeader[2] & 0xff);
    if (length > MAX_FRAME_SIZE) {
      throw Http2Exception.connection(FRAME_SIZE_ERROR, "frame of " + length + " bytes exceeds " + MAX_FRAME_SIZE);
    }
    readFully(frame, length);
  }

  private void readFully(byte[] b, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(b, n, len - n);
      if (r < 0) {
        throw new EOFException();
      }
      n += r;
    }
  }

  private int frameLength() {
    return ((readHeader[0] & 0xff) << 16) | ((readHeader[1] & 0xff) << 8) | (readHeader[2] & 0xff);
  }

  private int frameType() {
    return readHeader[3] & 0xff;
  }

  private static int int31(byte[] b, int off) {
    return ((b[off] & 0x7f) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }

  private void handleFrame() throws IOException, Http2Exception {
    int length = frameLength();
    int type = frameType();
    int flags = readHeader[4] & 0xff;
    int streamId = int31(readHeader, 5);
    if (continuationStreamId != 0 && (type != CONTINUATION || streamId != continuationStreamId)) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "expected CONTINUATION of stream " + continuationStreamId);
    }
    try {
      switch (type) {
        case DATA:
          onData(length, flags, streamId);
          break;
        case HEADERS:
          onHeaders(length, flags, streamId);
          break;
        case PRIORITY:
          if (streamId == 0) {
            throw Http2Exception.connection(PROTOCOL_ERROR, "PRIORITY on stream 0");
          }
          if (length != 5) {
            throw new Http2Exception(FRAME_SIZE_ERROR, streamId, "PRIORITY of " + length + " bytes");
          }
          break;
        case RST_STREAM:
          onRstStream(length, streamId);
          break;
        case SETTINGS:
          onSettings(length, flags, streamId);
          break;
        case PUSH_PROMISE:
          throw Http2Exception.connection(PROTOCOL_ERROR, "PUSH_PROMISE from a client");
        case PING:
          onPing(length, flags, streamId);
          break;
        case GOAWAY:
          if (streamId != 0) {
            throw Http2Exception.connection(PROTOCOL_ERROR, "GOAWAY on a stream");
          }
          if (length < 8) {
            throw Http2Exception.connection(FRAME_SIZE_ERROR, "GOAWAY of " + length + " bytes");
          }
          peerGoingAway = true;
          if (streams.isEmpty()) {
            close();
          }
          break;
        case WINDOW_UPDATE:
          onWindowUpdate(length, streamId);
          break;
        case CONTINUATION:
          onContinuation(length, flags, streamId);
          break;
        default:
          // unknown frame types are ignored (RFC 9113 5.5)
          break;
      }
    } catch (Http2Exception e) {
      if (e.streamId == 0) {
        throw e;
      }
      streamError(e.streamId, e.code);
    }
  }

  private void onData(int length, int flags, int streamId) throws IOException, Http2Exception {
    if (streamId == 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "DATA on stream 0");
    }
    int off = 0;
    int dataLength = length;
    if ((flags & FLAG_PADDED) != 0) {
      if (length < 1) {
        throw Http2Exception.connection(FRAME_SIZE_ERROR, "padded DATA without a pad length");
      }
      int pad = frame[0] & 0xff;
      if (pad >= length) {
        throw Http2Exception.connection(PROTOCOL_ERROR, "DATA padding exceeds the frame");
      }
      off = 1;
      dataLength = length - 1 - pad;
    }
    if (streamId > highestStreamId) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "DATA on idle stream " + streamId);
    }
    // the whole frame counts against the connection window, whatever becomes of the stream
    if (length > connectionRecvWindow) {
      throw Http2Exception.connection(FLOW_CONTROL_ERROR, "connection flow-control window exceeded");
    }
    connectionRecvWindow -= length;
    connectionRecvUnacked += length;
    if (connectionRecvUnacked >= connectionWindow / 2) {
      writeWindowUpdate(0, connectionRecvUnacked);
      connectionRecvWindow += connectionRecvUnacked;
      connectionRecvUnacked = 0;
    }
    Http2Stream s = streams.get(streamId);
    if (s == null || s.isDone()) {
      return; // a stream we already answered or reset: its late frames are dropped
    }
    if (s.remoteClosed) {
      throw new Http2Exception(STREAM_CLOSED, streamId, "DATA after END_STREAM");
    }
    if (length > s.recvWindow) {
      throw new Http2Exception(FLOW_CONTROL_ERROR, streamId, "stream flow-control window exceeded");
    }
    s.recvWindow -= length;
    s.recvUnacked += length;
    boolean endStream = (flags & FLAG_END_STREAM) != 0;
    Http2Stream.Refusal refusal = s.append(frame, off, dataLength, server.maxInboundMessageSize);
    if (refusal != null) {
      respondError(s, refusal.code, refusal.message, null, 200, false);
      return;
    }
    if (endStream) {
      s.remoteClosed = true;
      requestComplete(s);
    } else if (s.recvUnacked >= streamWindow / 2) {
      writeWindowUpdate(streamId, s.recvUnacked);
      s.recvWindow += s.recvUnacked;
      s.recvUnacked = 0;
    }
  }

  private void onHeaders(int length, int flags, int streamId) throws IOException, Http2Exception {
    if (streamId == 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "HEADERS on stream 0");
    }
    int off = 0;
    int pad = 0;
    if ((flags & FLAG_PADDED) != 0) {
      if (length < 1) {
        throw Http2Exception.connection(FRAME_SIZE_ERROR, "padded HEADERS without a pad length");
      }
      pad = frame[0] & 0xff;
      off = 1;
    }
    boolean badPriority = false;
    if ((flags & FLAG_PRIORITY) != 0) {
      if (length < off + 5) {
        throw Http2Exception.connection(FRAME_SIZE_ERROR, "HEADERS too short for its priority");
      }
      badPriority = int31(frame, off) == streamId;
      off += 5;
    }
    if (off + pad > length) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "HEADERS padding exceeds the frame");
    }
    headerBlockLength = 0;
    appendHeaderBlock(off, length - pad - off);
    boolean endStream = (flags & FLAG_END_STREAM) != 0;
    if ((flags & FLAG_END_HEADERS) != 0) {
      onHeaderBlock(streamId, endStream, badPriority);
    } else {
      continuationStreamId = streamId;
      continuationEndStream = endStream;
      continuationBadPriority = badPriority;
    }
  }

  private void onContinuation(int length, int flags, int streamId) throws IOException, Http2Exception {
    if (continuationStreamId == 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "CONTINUATION without HEADERS");
    }
    appendHeaderBlock(0, length);
    if ((flags & FLAG_END_HEADERS) != 0) {
      continuationStreamId = 0;
      onHeaderBlock(streamId, continuationEndStream, continuationBadPriority);
    }
  }

  private void appendHeaderBlock(int off, int len) throws Http2Exception {
    if (headerBlockLength + len > MAX_HEADER_BLOCK) {
      throw Http2Exception.connection(ENHANCE_YOUR_CALM, "header block exceeds " + MAX_HEADER_BLOCK + " bytes");
    }
    if (headerBlockLength + len > headerBlock.length) {
      headerBlock = java.util.Arrays.copyOf(headerBlock, Math.max(headerBlock.length * 2, headerBlockLength + len));
    }
    System.arraycopy(frame, off, headerBlock, headerBlockLength, len);
    headerBlockLength += len;
  }

  private void onHeaderBlock(int streamId, boolean endStream, boolean badPriority) throws IOException, Http2Exception {
    headerList.clear();
    // always decoded, even for streams we ignore: the HPACK table must stay in step with the peer's
    boolean fits = decoder.decode(headerBlock, 0, headerBlockLength, headerList);
    if (headerBlock.length > 16 * 1024) {
      headerBlock = new byte[1024];
    }
    headerBlockLength = 0;
    Http2Stream existing = streams.get(streamId);
    if (existing != null) {
      // trailers: must end the request
      if (existing.isDone()) {
        return;
      }
      if (existing.remoteClosed) {
        throw new Http2Exception(STREAM_CLOSED, streamId, "HEADERS after END_STREAM");
      }
      if (!endStream) {
        throw new Http2Exception(PROTOCOL_ERROR, streamId, "trailers without END_STREAM");
      }
      existing.remoteClosed = true;
      requestComplete(existing);
      return;
    }
    if ((streamId & 1) == 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "even stream id " + streamId + " from a client");
    }
    if (streamId <= highestStreamId) {
      return; // a stream we already closed: late HEADERS are dropped
    }
    long sendWindow;
    synchronized (flow) {
      sendWindow = peerInitialWindow;
    }
    Http2Stream s = new Http2Stream(this, streamId, streamWindow, sendWindow);
    // atomic with drain()'s snapshot of the last stream id: a stream is either served, or above the id our
    // GOAWAY announces (and so retried by the client), never both
    synchronized (streamStart) {
      highestStreamId = streamId;
      if (peerGoingAway || (draining && streamId > goAwayLastStreamId)) {
        return; // after a GOAWAY new streams are ignored
      }
      if (!badPriority && streams.size() < server.streamLimit) {
        streams.put(streamId, s);
      }
    }
    if (badPriority) {
      throw new Http2Exception(PROTOCOL_ERROR, streamId, "stream depends on itself");
    }
    if (streams.get(streamId) != s) {
      writeRstStream(streamId, REFUSED_STREAM);
      return;
    }
    s.remoteClosed = endStream;
    if (!fits) {
      respondError(s, GrpcStatus.RESOURCE_EXHAUSTED,
          "Header list size exceeds the limit of " + GrpcServer.MAX_HEADER_LIST_SIZE + " bytes", null, 431, false);
      return;
    }
    startCall(s);
  }

  /** Checks the request headers as grpc-java does and finds the method. */
  private void startCall(Http2Stream s) throws IOException, Http2Exception {
    String method = null;
    String path = null;
    String scheme = null;
    String contentType = null;
    String encoding = null;
    String timeout = null;
    boolean regularSeen = false;
    for (int i = 0; i < headerList.size(); i += 2) {
      String name = headerList.get(i);
      String value = headerList.get(i + 1);
      if (name.isEmpty()) {
        throw malformed(s, "empty header name");
      }
      if (name.charAt(0) == ':') {
        if (regularSeen) {
          throw malformed(s, "pseudo-header after a regular header");
        }
        if (name.equals(":method") && method == null) {
          method = value;
        } else if (name.equals(":path") && path == null) {
          path = value;
        } else if (name.equals(":scheme") && scheme == null) {
          scheme = value;
        } else if (!name.equals(":authority")) {
          throw malformed(s, "unexpected or repeated pseudo-header " + name);
        }
        continue;
      }
      regularSeen = true;
      for (int c = 0; c < name.length(); c++) {
        char ch = name.charAt(c);
        if (ch >= 'A' && ch <= 'Z') {
          throw malformed(s, "upper-case header name");
        }
      }
      if (name.equals("content-type")) {
        contentType = value;
      } else if (name.equals("grpc-encoding")) {
        encoding = value;
      } else if (name.equals("grpc-timeout")) {
        timeout = value;
      } else if (name.equals("connection")) {
        throw malformed(s, "connection-specific header");
      }
    }
    if (method == null || path == null || scheme == null) {
      throw malformed(s, "missing :method, :path or :scheme");
    }
    if (!method.equals("POST")) {
      respondError(s, GrpcStatus.INTERNAL, "Method '" + method + "' is not supported", null, 405, false);
      return;
    }
    if (contentType == null || !contentType.startsWith("application/grpc")) {
      respondError(s, GrpcStatus.INTERNAL, contentType == null ? "Content-Type is missing from the request"
          : "Content-Type '" + contentType + "' is not supported", null, 415, false);
      return;
    }
    if (!path.startsWith("/")) {
      respondError(s, GrpcStatus.UNIMPLEMENTED, "Expected path to start with /: " + path, null, 404, false);
      return;
    }
    String fullMethod = path.substring(1);
    UnaryHandler handler = server.method(fullMethod);
    if (handler == null) {
      respondError(s, GrpcStatus.UNIMPLEMENTED, "Method not found: " + fullMethod, null, 200, false);
      return;
    }
    if (encoding != null && !encoding.equals("identity")) {
      if (!encoding.equals("gzip")) {
        respondError(s, GrpcStatus.UNIMPLEMENTED, "Can't find decompressor for " + encoding, null, 200, true);
        return;
      }
      s.gzip = true;
    }
    if (timeout != null) {
      long nanos = parseTimeout(timeout);
      if (nanos >= 0) {
        s.hasDeadline = true;
        s.deadlineNanos = System.nanoTime() + nanos;
      }
    }
    s.handler = handler;
    s.method = fullMethod;
    if (s.remoteClosed) {
      requestComplete(s);
    }
  }

  private Http2Exception malformed(Http2Stream s, String why) {
    if (s.finish()) {
      streams.remove(s.id);
      server.completed(GrpcStatus.INTERNAL);
    }
    return new Http2Exception(PROTOCOL_ERROR, s.id, "malformed request: " + why);
  }

  /** grpc-timeout: 1 to 8 digits and a unit (H M S m u n); -1 when malformed (then ignored). */
  static long parseTimeout(String v) {
    int n = v.length();
    if (n < 2 || n > 9) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < n - 1; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    switch (v.charAt(n - 1)) {
      case 'H':
        return saturatedMultiply(value, TimeUnit.HOURS.toNanos(1));
      case 'M':
        return saturatedMultiply(value, TimeUnit.MINUTES.toNanos(1));
      case 'S':
        return saturatedMultiply(value, TimeUnit.SECONDS.toNanos(1));
      case 'm':
        return value * 1_000_000L;
      case 'u':
        return value * 1_000L;
      case 'n':
        return value;
      default:
        return -1;
    }
  }

  private static long saturatedMultiply(long a, long b) {
    long r = a * b;
    return a != 0 && r / a != b ? Long.MAX_VALUE : r;
  }

  private void requestComplete(Http2Stream s) throws IOException {
    if (s.handler == null) {
      return; // already answered at the headers
    }
    Http2Stream.Refusal refusal = s.endOfRequest();
    if (refusal != null) {
      respondError(s, refusal.code, refusal.message, null, 200, false);
      return;
    }
    if (server.executor.isShutdown()) {
      respondError(s, GrpcStatus.UNAVAILABLE, "server is shutting down", null, 200, false);
      return;
    }
    try {
      server.executor.execute(s);
    } catch (RejectedExecutionException e) {
      respondError(s, GrpcStatus.UNAVAILABLE, "server is overloaded", null, 200, false);
    }
  }

  private void onRstStream(int length, int streamId) throws Http2Exception {
    if (length != 4) {
      throw Http2Exception.connection(FRAME_SIZE_ERROR, "RST_STREAM of " + length + " bytes");
    }
    if (streamId == 0 || streamId > highestStreamId) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "RST_STREAM on idle stream " + streamId);
    }
    Http2Stream s = streams.get(streamId);
    if (s != null) {
      cancel(s, GrpcStatus.CANCELLED);
    }
  }

  private void cancel(Http2Stream s, int code) {
    if (s.finish()) {
      removeStream(s);
      server.completed(code);
    }
    synchronized (flow) {
      flow.notifyAll();
    }
  }

  private void removeStream(Http2Stream s) {
    streams.remove(s.id);
    if (streams.isEmpty()) {
      idleSinceNanos = System.nanoTime();
      if (draining || peerGoingAway) {
        finishDrain();
      }
    }
  }

  private void onSettings(int length, int flags, int streamId) throws IOException, Http2Exception {
    if (streamId != 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "SETTINGS on a stream");
    }
    if ((flags & FLAG_ACK) != 0) {
      if (length != 0) {
        throw Http2Exception.connection(FRAME_SIZE_ERROR, "SETTINGS ACK with a payload");
      }
      return;
    }
    if (length % 6 != 0) {
      throw Http2Exception.connection(FRAME_SIZE_ERROR, "SETTINGS of " + length + " bytes");
    }
    for (int i = 0; i < length; i += 6) {
      int id = ((frame[i] & 0xff) << 8) | (frame[i + 1] & 0xff);
      long value = ((frame[i + 2] & 0xffL) << 24) | ((frame[i + 3] & 0xff) << 16) | ((frame[i + 4] & 0xff) << 8)
          | (frame[i + 5] & 0xff);
      switch (id) {
        case SETTINGS_ENABLE_PUSH:
          if (value > 1) {
            throw Http2Exception.connection(PROTOCOL_ERROR, "SETTINGS_ENABLE_PUSH " + value);
          }
          break;
        case SETTINGS_INITIAL_WINDOW_SIZE:
          if (value > MAX_WINDOW) {
            throw Http2Exception.connection(FLOW_CONTROL_ERROR, "SETTINGS_INITIAL_WINDOW_SIZE " + value);
          }
          synchronized (flow) {
            long delta = value - peerInitialWindow;
            peerInitialWindow = (int) value;
            for (Http2Stream s : streams.values()) {
              s.sendWindow += delta;
              if (s.sendWindow > MAX_WINDOW) {
                throw Http2Exception.connection(FLOW_CONTROL_ERROR, "stream window overflow");
              }
            }
            flow.notifyAll();
          }
          break;
        case SETTINGS_MAX_FRAME_SIZE:
          if (value < 16384 || value > 16777215) {
            throw Http2Exception.connection(PROTOCOL_ERROR, "SETTINGS_MAX_FRAME_SIZE " + value);
          }
          peerMaxFrameSize = (int) value;
          break;
        default:
          // HEADER_TABLE_SIZE: our encoder keeps no dynamic table; MAX_CONCURRENT_STREAMS: we never push;
          // MAX_HEADER_LIST_SIZE: our headers are small; unknown settings are ignored.
          break;
      }
    }
    lockWrite();
    try {
      writeFrameHeader(0, SETTINGS, FLAG_ACK, 0);
      out.flush();
    } finally {
      unlockWrite();
    }
  }

  private void onPing(int length, int flags, int streamId) throws IOException, Http2Exception {
    if (streamId != 0) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "PING on a stream");
    }
    if (length != 8) {
      throw Http2Exception.connection(FRAME_SIZE_ERROR, "PING of " + length + " bytes");
    }
    if ((flags & FLAG_ACK) != 0) {
      if (readLong(frame, 0) == KEEPALIVE_PING_DATA) {
        pingOutstanding = false;
      }
      return;
    }
    // keepalive enforcement, as grpc-java's KeepAliveEnforcer
    long now = System.nanoTime();
    long allowed = !streams.isEmpty() || server.permitWithoutStream ? server.permitKeepaliveNanos
        : IMPLICIT_PERMIT_NANOS;
    if (now - lastValidPingNanos >= allowed) {
      lastValidPingNanos = now;
    } else if (++pingStrikes > MAX_PING_STRIKES) {
      throw Http2Exception.connection(ENHANCE_YOUR_CALM, "too_many_pings");
    }
    lockWrite();
    try {
      writeFrameHeader(8, PING, FLAG_ACK, 0);
      out.write(frame, 0, 8);
      out.flush();
    } finally {
      unlockWrite();
    }
  }

  private static long readLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  private void onWindowUpdate(int length, int streamId) throws Http2Exception {
    if (length != 4) {
      throw Http2Exception.connection(FRAME_SIZE_ERROR, "WINDOW_UPDATE of " + length + " bytes");
    }
    int increment = int31(frame, 0);
    if (streamId == 0) {
      if (increment == 0) {
        throw Http2Exception.connection(PROTOCOL_ERROR, "WINDOW_UPDATE of 0");
      }
      synchronized (flow) {
        if (connectionSendWindow + increment > MAX_WINDOW) {
          throw Http2Exception.connection(FLOW_CONTROL_ERROR, "connection window overflow");
        }
        connectionSendWindow += increment;
        flow.notifyAll();
      }
      return;
    }
    if (streamId > highestStreamId) {
      throw Http2Exception.connection(PROTOCOL_ERROR, "WINDOW_UPDATE on idle stream " + streamId);
    }
    Http2Stream s = streams.get(streamId);
    if (s == null) {
      return;
    }
    if (increment == 0) {
      throw new Http2Exception(PROTOCOL_ERROR, streamId, "WINDOW_UPDATE of 0");
    }
    synchronized (flow) {
      if (s.sendWindow + increment > MAX_WINDOW) {
        throw new Http2Exception(FLOW_CONTROL_ERROR, streamId, "stream window overflow");
      }
      s.sendWindow += increment;
      flow.notifyAll();
    }
  }

  // ------------------------------------------------------------------ calls

  /** Runs a complete call on the executor: deadline, decompression, the handler, the response. */
  void runCall(Http2Stream s) {
    if (s.isDone()) {
      return;
    }
    if (s.hasDeadline && System.nanoTime() - s.deadlineNanos >= 0) {
      respondQuietly(s, GrpcStatus.DEADLINE_EXCEEDED, "Deadline exceeded before the call started");
      return;
    }
    byte[] message = s.takeMessage();
    if (s.compressed) {
      try {
        message = gunzip(message, server.maxInboundMessageSize);
      } catch (MessageTooLarge e) {
        respondQuietly(s, GrpcStatus.RESOURCE_EXHAUSTED,
            "Decompressed gRPC message exceeds maximum size " + server.maxInboundMessageSize);
        return;
      } catch (IOException e) {
        respondQuietly(s, GrpcStatus.INTERNAL, "Invalid gzip-compressed message: " + e.getMessage());
        return;
      }
    }
    GrpcResponse r;
    try {
      r = s.handler.handle(message);
    } catch (RuntimeException | StackOverflowError e) {
      // a handler may run on the reader thread's small stack (executor saturated): a deep message fails the call,
      // not the connection
      log("gRPC handler of " + s.method + " failed", e);
      r = GrpcResponse.error(GrpcStatus.UNKNOWN, "Application error processing RPC", null);
    }
    if (r == null) {
      r = GrpcResponse.error(GrpcStatus.INTERNAL, "no response", null);
    }
    try {
      if (r.code() == GrpcStatus.OK) {
        respondOk(s, r.message());
      } else {
        respondError(s, r.code(), r.description(), r.statusDetails(), 200, false);
      }
    } catch (IOException e) {
      close();
    }
  }

  private void respondQuietly(Http2Stream s, int code, String message) {
    try {
      respondError(s, code, message, null, 200, false);
    } catch (IOException e) {
      close();
    }
  }

  private static final class MessageTooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Inflates a gzip message, never beyond {@code limit} bytes. */
  static byte[] gunzip(byte[] data, int limit) throws IOException {
    try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(data), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, Math.max(64, data.length * 4)));
      byte[] chunk = new byte[8192];
      int total = 0;
      int r;
      while ((r = gz.read(chunk)) > 0) {
        total += r;
        if (total > limit) {
          throw new MessageTooLarge();
        }
        out.write(chunk, 0, r);
      }
      return out.toByteArray();
    } catch (ZipException | EOFException e) {
      throw new IOException(e.getMessage() == null ? "truncated" : e.getMessage(), e);
    }
  }

  private void respondOk(Http2Stream s, byte[] message) throws IOException {
    if (!s.claimResponse()) {
      return;
    }
    byte[] framed = new byte[5 + message.length];
    framed[1] = (byte) (message.length >>> 24);
    framed[2] = (byte) (message.length >>> 16);
    framed[3] = (byte) (message.length >>> 8);
    framed[4] = (byte) message.length;
    System.arraycopy(message, 0, framed, 5, message.length);
    int off = 0;
    lockWrite();
    try {
      if (closed.get()) {
        return;
      }
      fields[0] = ":status";
      fields[1] = "200";
      fields[2] = "content-type";
      fields[3] = "application/grpc";
      writeHeaderBlock(s.id, 4, false);
      // the usual case: the window takes the whole (small) response, written with one flush
      int n = acquireWindow(s, framed.length, 0);
      if (n > 0) {
        off = writeResponseData(s, framed, 0, n);
      }
      out.flush();
    } finally {
      unlockWrite();
    }
    long waitUntil = s.hasDeadline ? s.deadlineNanos : System.nanoTime() + WINDOW_WAIT_NANOS;
    while (off < framed.length) {
      int n = acquireWindow(s, framed.length - off, waitUntil);
      if (n <= 0) {
        // the peer gave no window in time, or the stream or connection went away
        if (!closed.get() && s.finish()) {
          writeRstStream(s.id, CANCEL);
          removeStream(s);
          server.completed(s.hasDeadline ? GrpcStatus.DEADLINE_EXCEEDED : GrpcStatus.CANCELLED);
        }
        return;
      }
      lockWrite();
      try {
        off = writeResponseData(s, framed, off, n);
        out.flush();
      } finally {
        unlockWrite();
      }
    }
    if (s.finish()) {
      removeStream(s);
      server.completed(GrpcStatus.OK);
    }
  }

  /** Writes {@code n} bytes of the framed response as DATA, and the trailers after the last; the new offset. */
  private int writeResponseData(Http2Stream s, byte[] framed, int off, int n) throws IOException {
    writeFrameHeader(n, DATA, 0, s.id);
    out.write(framed, off, n);
    off += n;
    if (off == framed.length) {
      fields[0] = "grpc-status";
      fields[1] = "0";
      writeHeaderBlock(s.id, 2, true);
      endResponse(s);
    }
    return off;
  }

  /**
   * Takes up to {@code wanted} bytes of send window (also bounded by the peer's frame size), waiting until
   * {@code waitUntilNanos} (0: no waiting) for the peer to open it; 0 when it did not.
   */
  private int acquireWindow(Http2Stream s, int wanted, long waitUntilNanos) {
    synchronized (flow) {
      while (true) {
        if (closed.get() || s.isDone()) {
          return 0;
        }
        long n = Math.min(Math.min(connectionSendWindow, s.sendWindow), Math.min(wanted, peerMaxFrameSize));
        if (n > 0) {
          connectionSendWindow -= n;
          s.sendWindow -= n;
          return (int) n;
        }
        long left = waitUntilNanos == 0 ? 0 : waitUntilNanos - System.nanoTime();
        if (left <= 0) {
          return 0;
        }
        try {
          flow.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return 0;
        }
      }
    }
  }

  /**
   * A trailers-only response: one HEADERS frame with the HTTP status, the gRPC status and END_STREAM. Used for
   * every error, from the reader thread (refused at the headers or while reading) or from the call.
   */
  private void respondError(Http2Stream s, int code, String message, byte[] details, int httpStatus,
      boolean acceptEncoding) throws IOException {
    if (!s.claimResponse()) {
      return;
    }
    lockWrite();
    try {
      if (closed.get()) {
        return;
      }
      int n = 0;
      fields[n++] = ":status";
      fields[n++] = Integer.toString(httpStatus);
      fields[n++] = "content-type";
      fields[n++] = "application/grpc";
      fields[n++] = "grpc-status";
      fields[n++] = Integer.toString(code);
      if (message != null && !message.isEmpty()) {
        fields[n++] = "grpc-message";
        fields[n++] = percentEncode(message);
      }
      if (details != null) {
        fields[n++] = "grpc-status-details-bin";
        fields[n++] = Base64.getEncoder().withoutPadding().encodeToString(details);
      }
      if (acceptEncoding) {
        fields[n++] = "grpc-accept-encoding";
        fields[n++] = "gzip";
      }
      writeHeaderBlock(s.id, n, true);
      endResponse(s);
      out.flush();
    } finally {
      unlockWrite();
    }
    if (s.finish()) {
      removeStream(s);
      server.completed(code);
    }
  }

  /** After our END_STREAM: a request still being sent is reset (RFC 9113 8.1), so the client stops sending. */
  private void endResponse(Http2Stream s) throws IOException {
    if (!s.remoteClosed) {
      writeFrameHeader(4, RST_STREAM, 0, s.id);
      writeInt(NO_ERROR);
    }
    pingStrikes = 0;
    lastValidPingNanos = createdNanos;
  }

  /** grpc-message: UTF-8, percent-encoding every byte outside printable ASCII and '%' itself. */
  static String percentEncode(String message) {
    if (message.length() > MAX_GRPC_MESSAGE_CHARS) {
      message = message.substring(0, MAX_GRPC_MESSAGE_CHARS);
    }
    byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(utf8.length + 16);
    for (byte x : utf8) {
      int c = x & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >>> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ writing (callers hold the write lock)

  private void lockWrite() {
    writeLock.lock();
    writeStartedNanos = System.nanoTime() | 1;
  }

  private void unlockWrite() {
    writeStartedNanos = 0;
    writeLock.unlock();
  }

  private void writeFrameHeader(int length, int type, int flags, int streamId) throws IOException {
    byte[] h = frameHeader;
    h[0] = (byte) (length >>> 16);
    h[1] = (byte) (length >>> 8);
    h[2] = (byte) length;
    h[3] = (byte) type;
    h[4] = (byte) flags;
    h[5] = (byte) (streamId >>> 24);
    h[6] = (byte) (streamId >>> 16);
    h[7] = (byte) (streamId >>> 8);
    h[8] = (byte) streamId;
    out.write(h, 0, 9);
  }

  private void writeInt(int v) throws IOException {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }

  /** Encodes {@code fields[0..count)} and writes HEADERS (+ CONTINUATION beyond the peer's frame size). */
  private void writeHeaderBlock(int streamId, int count, boolean endStream) throws IOException {
    byte[] block = encoder.encode(fields, count);
    int length = encoder.length();
    int max = peerMaxFrameSize;
    int off = 0;
    int type = HEADERS;
    do {
      int n = Math.min(max, length - off);
      int flags = (off + n == length ? FLAG_END_HEADERS : 0) | (type == HEADERS && endStream ? FLAG_END_STREAM : 0);
      writeFrameHeader(n, type, flags, streamId);
      out.write(block, off, n);
      off += n;
      type = CONTINUATION;
    } while (off < length);
    java.util.Arrays.fill(fields, null);
  }

  /** The server preface; {@code out} is published under the write lock, so no frame can precede it. */
  private void writeInitialSettings(OutputStream stream) throws IOException {
    lockWrite();
    try {
      out = stream;
      int n = server.maxConcurrentStreams > 0 ? 3 : 2;
      writeFrameHeader(6 * n, SETTINGS, 0, 0);
      if (server.maxConcurrentStreams > 0) {
        writeSetting(SETTINGS_MAX_CONCURRENT_STREAMS, server.maxConcurrentStreams);
      }
      writeSetting(SETTINGS_INITIAL_WINDOW_SIZE, streamWindow);
      writeSetting(SETTINGS_MAX_HEADER_LIST_SIZE, GrpcServer.MAX_HEADER_LIST_SIZE);
      if (connectionWindow > DEFAULT_WINDOW) {
        writeFrameHeader(4, WINDOW_UPDATE, 0, 0);
        writeInt(connectionWindow - DEFAULT_WINDOW);
      }
      connectionRecvWindow = connectionWindow;
      out.flush();
    } finally {
      unlockWrite();
    }
  }

  private void writeSetting(int id, int value) throws IOException {
    out.write(id >>> 8);
    out.write(id);
    writeInt(value);
  }

  private void writeWindowUpdate(int streamId, int increment) throws IOException {
    lockWrite();
    try {
      writeFrameHeader(4, WINDOW_UPDATE, 0, streamId);
      writeInt(increment);
      out.flush();
    } finally {
      unlockWrite();
    }
  }

  private void writeRstStream(int streamId, int code) throws IOException {
    lockWrite();
    try {
      writeFrameHeader(4, RST_STREAM, 0, streamId);
      writeInt(code);
      out.flush();
    } finally {
      unlockWrite();
    }
  }

  private void writeGoAway(int lastStreamId, int code, String debug) throws IOException {
    byte[] d = debug == null ? new byte[0] : debug.getBytes(StandardCharsets.UTF_8);
    writeFrameHeader(8 + d.length, GOAWAY, 0, 0);
    writeInt(lastStreamId);
    writeInt(code);
    out.write(d);
    out.flush();
  }

  private void streamError(int streamId, int code) throws IOException {
    Http2Stream s = streams.get(streamId);
    if (s != null) {
      cancel(s, GrpcStatus.INTERNAL);
    }
    writeRstStream(streamId, code);
  }

  // ------------------------------------------------------------------ closing and timers

  /** A connection error: GOAWAY with the code, then close (after letting the peer read it). Reader thread. */
  private void connectionError(Http2Exception e) {
    if (closed.get()) {
      return;
    }
    log("gRPC connection " + connectionId + " closed: " + e.getMessage(), null);
    try {
      if (out != null) {
        lockWrite();
        try {
          // grpc-java sends the bare reason as debug data ("too_many_pings"); so do we for every error
          writeGoAway(highestStreamId, e.code, e.getMessage());
        } finally {
          unlockWrite();
        }
        if (!(socket instanceof SSLSocket)) {
          socket.shutdownOutput();
        }
        // read what the peer still sends for a moment, so that closing does not reset the GOAWAY away
        socket.setSoTimeout(250);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        int total = 0;
        while (total < 1 << 20 && System.nanoTime() - until < 0) {
          int r = in.read(frame);
          if (r < 0) {
            break;
          }
          total += r;
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // closing anyway
    }
  }

  /** Graceful GOAWAY (server shutdown, idle or age limit): calls in flight finish, new streams are ignored. */
  void drain(String reason) {
    if (draining || closed.get()) {
      return;
    }
    if (out == null) {
      close(); // still in its TLS handshake: no call to let finish
      return;
    }
    try {
      if (!writeLock.tryLock(100, TimeUnit.MILLISECONDS)) {
        return; // a stuck writer; the shutdown deadline or the stall check closes the connection
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    writeStartedNanos = System.nanoTime() | 1;
    try {
      int last;
      synchronized (streamStart) {
        last = highestStreamId;
        goAwayLastStreamId = last;
        draining = true;
      }
      writeGoAway(last, NO_ERROR, reason);
    } catch (IOException e) {
      close();
      return;
    } finally {
      unlockWrite();
    }
    if (streams.isEmpty()) {
      finishDrain();
    }
  }

  /** No calls left after a GOAWAY: end our side; the peer closes its side (or the timer closes in 1 s). */
  private void finishDrain() {
    if (!closeAtSet || closeAtNanos - System.nanoTime() > TimeUnit.SECONDS.toNanos(1)) {
      closeAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      closeAtSet = true;
    }
    if (socket instanceof SSLSocket) {
      return;
    }
    try {
      // the GOAWAY and the last response were flushed when written; this never blocks (timer thread)
      socket.shutdownOutput();
    } catch (IOException e) {
      close();
    }
  }

  /** Keepalive, idle, age and stall checks; on the server's timer thread, which must never block on a write. */
  void tick(long now) {
    if (closed.get()) {
      return;
    }
    if (closeAtSet && now - closeAtNanos >= 0) {
      close();
      return;
    }
    long writing = writeStartedNanos;
    if (writing != 0 && now - writing > WRITE_STALL_NANOS) {
      log("gRPC connection " + connectionId + ": peer stopped reading, closing", null);
      close();
      return;
    }
    if (out == null) {
      return; // still handshaking (bounded by the handshake timeout)
    }
    if (pingOutstanding) {
      if (now - pingSentNanos > server.keepaliveTimeoutNanos) {
        log("gRPC connection " + connectionId + ": keepalive ping not acknowledged, closing", null);
        close();
        return;
      }
    } else if (now - lastReadNanos >= server.keepaliveTimeNanos && writeLock.tryLock()) {
      try {
        writeFrameHeader(8, PING, 0, 0);
        for (int i = 56; i >= 0; i -= 8) {
          out.write((int) (KEEPALIVE_PING_DATA >>> i));
        }
        out.flush();
        pingSentNanos = now;
        pingOutstanding = true;
      } catch (IOException e) {
        close();
        return;
      } finally {
        writeLock.unlock();
      }
    }
    if (!draining) {
      if (now - idleSinceNanos >= server.maxIdleNanos && streams.isEmpty()) {
        drainFromTimer("max_idle");
      } else if (now - createdNanos >= server.maxAgeNanos) {
        drainFromTimer("max_age");
        if (draining && server.maxAgeGraceNanos != Long.MAX_VALUE) {
          closeAtNanos = now + server.maxAgeGraceNanos;
          closeAtSet = true;
        }
      }
    }
  }

  private void drainFromTimer(String reason) {
    if (writeLock.isLocked()) {
      return; // try again on the next tick
    }
    drain(reason);
  }

  /** Closes the socket and cancels whatever calls are left. Idempotent, any thread. */
  void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    GrpcServer.closeQuietly(socket);
    for (Http2Stream s : streams.values()) {
      if (s.finish()) {
        server.completed(GrpcStatus.CANCELLED);
      }
    }
    streams.clear();
    synchronized (flow) {
      flow.notifyAll();
    }
    server.connectionClosed(this);
  }
}
