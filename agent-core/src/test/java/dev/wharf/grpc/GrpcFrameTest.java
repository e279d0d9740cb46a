package dev.wharf.grpc;

import static dev.wharf.grpc.Http2Connection.CONTINUATION;
import static dev.wharf.grpc.Http2Connection.DATA;
import static dev.wharf.grpc.Http2Connection.GOAWAY;
import static dev.wharf.grpc.Http2Connection.HEADERS;
import static dev.wharf.grpc.Http2Connection.PING;
import static dev.wharf.grpc.Http2Connection.RST_STREAM;
import static dev.wharf.grpc.Http2Connection.SETTINGS;
import static dev.wharf.grpc.Http2Connection.WINDOW_UPDATE;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Frame-level behaviour with a raw socket: the server answers protocol violations with the RFC's error codes. */
class GrpcFrameTest {
  static final String ECHO = "test.Echo/Echo";
  private static ExecutorService executor;
  private static GrpcServer server;
  private static final ConcurrentLinkedQueue<Integer> completed = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    executor = Executors.newFixedThreadPool(4);
    server = echoServer(GrpcServer.builder(), completed);
  }

  static GrpcServer echoServer(GrpcServer.Builder b, ConcurrentLinkedQueue<Integer> completed) throws Exception {
    GrpcServer s = b.bind(new InetSocketAddress("127.0.0.1", 0)).executor(executor)
        .maxInboundMessageSize(1024 * 1024)
        .unary(ECHO, GrpcResponse::ok)
        .callCompleted(completed::add)
        .build();
    s.start();
    return s;
  }

  @AfterAll
  static void stop() {
    server.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    executor.shutdownNow();
  }

  private static Map<String, String> headers(HpackDecoder d, RawHttp2Client.Frame f) throws Exception {
    List<String> list = new ArrayList<>();
    d.decode(f.payload(), 0, f.payload().length, list);
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i += 2) {
      m.put(list.get(i), list.get(i + 1));
    }
    return m;
  }

  private static void assertGoAway(RawHttp2Client c, int code) throws Exception {
    RawHttp2Client.Frame f = c.readUntil(GOAWAY);
    assertThat(f).as("GOAWAY").isNotNull();
    assertThat(f.errorCode()).isEqualTo(code);
    assertThat(c.closedByServer()).isTrue();
  }

  @Test
  void aBadPrefaceGetsGoAwayProtocolError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port())) {
      c.raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertGoAway(c, Http2Connection.PROTOCOL_ERROR);
    }
  }

  @Test
  void settingsAreAdvertisedAndAcknowledged() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      RawHttp2Client.Frame settings = c.read();
      assertThat(settings.type()).isEqualTo(SETTINGS);
      assertThat(settings.flags()).isZero();
      Map<Integer, Integer> values = new LinkedHashMap<>();
      ByteBuffer b = ByteBuffer.wrap(settings.payload());
      while (b.hasRemaining()) {
        values.put((int) b.getShort(), b.getInt());
      }
      assertThat(values).containsEntry(Http2Connection.SETTINGS_MAX_HEADER_LIST_SIZE, 8192)
          .containsEntry(Http2Connection.SETTINGS_INITIAL_WINDOW_SIZE, 1024 * 1024);
      RawHttp2Client.Frame ack = c.readUntil(SETTINGS);
      assertThat(ack.flags()).isEqualTo(Http2Connection.FLAG_ACK);
      assertThat(ack.payload()).isEmpty();
      // invalid SETTINGS_MAX_FRAME_SIZE
      c.frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 5).putInt(100).array());
      assertGoAway(c, Http2Connection.PROTOCOL_ERROR);
    }
  }

  @Test
  void pingIsAcknowledgedWithItsPayload() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      byte[] data = "12345678".getBytes(StandardCharsets.ISO_8859_1);
      c.frame(PING, 0, 0, data);
      RawHttp2Client.Frame f = c.readUntil(PING);
      assertThat(f.flags()).isEqualTo(Http2Connection.FLAG_ACK);
      assertThat(f.payload()).isEqualTo(data);
      c.frame(PING, 0, 0, new byte[7]);
      assertGoAway(c, Http2Connection.FRAME_SIZE_ERROR);
    }
  }

  @Test
  void anOversizedFrameIsAFrameSizeError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, new byte[16385]);
      assertGoAway(c, Http2Connection.FRAME_SIZE_ERROR);
    }
  }

  @Test
  void aCallSplitOverContinuationAndPaddedFramesIsServed() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      byte[] block = c.requestHeaders("/" + ECHO, "te", "trailers", "user-agent", "raw-test");
      // HEADERS: padded, with priority, first 10 bytes of the block; CONTINUATION: the rest
      ByteBuffer h = ByteBuffer.allocate(1 + 5 + 10 + 3);
      h.put((byte) 3).putInt(0).put((byte) 15).put(block, 0, 10).put(new byte[3]);
      c.frame(HEADERS, Http2Connection.FLAG_PADDED | Http2Connection.FLAG_PRIORITY, 1, h.array());
      c.frame(CONTINUATION, 0, 1, java.util.Arrays.copyOfRange(block, 10, 20));
      c.frame(CONTINUATION, Http2Connection.FLAG_END_HEADERS, 1, java.util.Arrays.copyOfRange(block, 20, block.length));
      byte[] msg = RawHttp2Client.grpcMessage("hello".getBytes(StandardCharsets.UTF_8));
      ByteBuffer d = ByteBuffer.allocate(1 + msg.length + 4);
      d.put((byte) 4).put(msg).put(new byte[4]);
      c.frame(DATA, Http2Connection.FLAG_PADDED | Http2Connection.FLAG_END_STREAM, 1, d.array());

      HpackDecoder dec = new HpackDecoder(4096, 8192);
      RawHttp2Client.Frame rh = c.readUntil(HEADERS);
      assertThat(headers(dec, rh)).containsEntry(":status", "200").containsEntry("content-type", "application/grpc");
      RawHttp2Client.Frame data = c.readUntil(DATA);
      assertThat(data.payload()).isEqualTo(msg);
      RawHttp2Client.Frame trailers = c.readUntil(HEADERS);
      assertThat(trailers.flags() & Http2Connection.FLAG_END_STREAM).isNotZero();
      assertThat(headers(dec, trailers)).containsEntry("grpc-status", "0");
    }
  }

  @Test
  void aFrameBetweenHeadersAndContinuationIsAProtocolError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      byte[] block = c.requestHeaders("/" + ECHO);
      c.frame(HEADERS, 0, 1, java.util.Arrays.copyOf(block, 5));
      c.frame(PING, 0, 0, new byte[8]);
      assertGoAway(c, Http2Connection.PROTOCOL_ERROR);
    }
  }

  @Test
  void anEvenStreamIdIsAProtocolError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 2, c.requestHeaders("/" + ECHO));
      assertGoAway(c, Http2Connection.PROTOCOL_ERROR);
    }
  }

  @Test
  void dataOnAnIdleStreamIsAProtocolError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(DATA, 0, 7, new byte[3]);
      assertGoAway(c, Http2Connection.PROTOCOL_ERROR);
    }
  }

  @Test
  void resetMidRequestCancelsTheCallAndTheConnectionGoesOn() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      int before = count(GrpcStatus.CANCELLED);
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO));
      byte[] msg = RawHttp2Client.grpcMessage(new byte[100]);
      c.frame(DATA, 0, 1, java.util.Arrays.copyOf(msg, 50));
      c.frame(RST_STREAM, 0, 1, RawHttp2Client.int32(Http2Connection.CANCEL));
      // late DATA on the reset stream is dropped
      c.frame(DATA, 0, 1, new byte[10]);
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 3, c.requestHeaders("/" + ECHO));
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 3, RawHttp2Client.grpcMessage(new byte[] {1, 2, 3}));
      RawHttp2Client.Frame data = c.readUntil(DATA);
      assertThat(data.streamId()).isEqualTo(3);
      assertThat(data.payload()).isEqualTo(RawHttp2Client.grpcMessage(new byte[] {1, 2, 3}));
      assertThat(count(GrpcStatus.CANCELLED)).isEqualTo(before + 1);
    }
  }

  @Test
  void aHeaderListOverTheLimitIsRefusedOnItsStream() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      byte[] block = c.requestHeaders("/" + ECHO, "x-big", "v".repeat(9000));
      // 9 KB of block: HEADERS + CONTINUATION
      c.frame(HEADERS, 0, 1, java.util.Arrays.copyOf(block, 8000));
      c.frame(CONTINUATION, Http2Connection.FLAG_END_HEADERS, 1, java.util.Arrays.copyOfRange(block, 8000, block.length));
      RawHttp2Client.Frame rh = c.readUntil(HEADERS);
      Map<String, String> h = headers(new HpackDecoder(4096, 8192), rh);
      assertThat(h).containsEntry(":status", "431").containsEntry("grpc-status", "8");
      assertThat(rh.flags() & Http2Connection.FLAG_END_STREAM).isNotZero();
      // the connection still serves
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 3, c.requestHeaders("/" + ECHO));
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 3, RawHttp2Client.grpcMessage(new byte[] {9}));
      assertThat(c.readUntil(DATA).streamId()).isEqualTo(3);
    }
  }

  @Test
  void windowOverflowIsAFlowControlError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(WINDOW_UPDATE, 0, 0, RawHttp2Client.int32(Integer.MAX_VALUE));
      assertGoAway(c, Http2Connection.FLOW_CONTROL_ERROR);
    }
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 4).putInt(0x80000000).array());
      assertGoAway(c, Http2Connection.FLOW_CONTROL_ERROR);
    }
  }

  @Test
  void dataBeyondTheStreamWindowResetsTheStream() throws Exception {
    ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
    GrpcServer small = echoServer(GrpcServer.builder().initialWindowSize(100), codes);
    try (RawHttp2Client c = new RawHttp2Client(small.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO));
      c.frame(DATA, 0, 1, new byte[101]);
      RawHttp2Client.Frame rst = c.readUntil(RST_STREAM);
      assertThat(rst.streamId()).isEqualTo(1);
      assertThat(rst.errorCode()).isEqualTo(Http2Connection.FLOW_CONTROL_ERROR);
      // within the window, and its replenishment, a call works
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 3, c.requestHeaders("/" + ECHO));
      byte[] msg = RawHttp2Client.grpcMessage(new byte[150]);
      c.frame(DATA, 0, 3, java.util.Arrays.copyOf(msg, 90));
      RawHttp2Client.Frame update = c.readUntil(WINDOW_UPDATE);
      while (update.streamId() != 3) {
        update = c.readUntil(WINDOW_UPDATE);
      }
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 3, java.util.Arrays.copyOfRange(msg, 90, msg.length));
      assertThat(c.readUntil(DATA).payload()).isEqualTo(msg);
    } finally {
      small.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }

  @Test
  void tooManyPingsWithoutCallsGetGoAwayEnhanceYourCalm() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      for (int i = 0; i < 3; i++) {
        c.frame(PING, 0, 0, new byte[8]);
        Thread.sleep(5);
      }
      RawHttp2Client.Frame f = c.readUntil(GOAWAY);
      assertThat(f.errorCode()).isEqualTo(Http2Connection.ENHANCE_YOUR_CALM);
      assertThat(f.goAwayDebug()).isEqualTo("too_many_pings");
    }
  }

  @Test
  void keepaliveIdleAndAgeLimits() throws Exception {
    ConcurrentLinkedQueue<Integer> codes = new ConcurrentLinkedQueue<>();
    // a peer that never answers the server's ping is dropped after the ping timeout
    GrpcServer ka = echoServer(GrpcServer.builder().keepalive(new GrpcServer.Keepalive(Duration.ofMillis(100),
        Duration.ofMillis(100), null, null, null, null, false)), codes);
    try (RawHttp2Client c = new RawHttp2Client(ka.port()).start()) {
      RawHttp2Client.Frame ping = c.readUntil(PING);
      assertThat(ping.flags()).isZero();
      assertThat(c.closedByServer()).isTrue();
    } finally {
      ka.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
    GrpcServer idle = echoServer(GrpcServer.builder().keepalive(new GrpcServer.Keepalive(null, null,
        Duration.ofMillis(150), null, null, null, false)), codes);
    try (RawHttp2Client c = new RawHttp2Client(idle.port()).start()) {
      RawHttp2Client.Frame f = c.readUntil(GOAWAY);
      assertThat(f.errorCode()).isEqualTo(Http2Connection.NO_ERROR);
      assertThat(f.goAwayDebug()).isEqualTo("max_idle");
      assertThat(c.closedByServer()).isTrue();
    } finally {
      idle.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
    GrpcServer age = echoServer(GrpcServer.builder().keepalive(new GrpcServer.Keepalive(null, null,
        null, Duration.ofMillis(400), Duration.ofMillis(100), null, false)), codes);
    try (RawHttp2Client c = new RawHttp2Client(age.port()).start()) {
      // a call left open: after the age GOAWAY the grace period ends the connection
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO));
      RawHttp2Client.Frame f = c.readUntil(GOAWAY);
      assertThat(f.goAwayDebug()).isEqualTo("max_age");
      assertThat(ByteBuffer.wrap(f.payload()).getInt()).as("last stream id").isEqualTo(1);
      assertThat(c.closedByServer()).isTrue();
      // the server closes the socket first, then counts the calls it cancelled
      assertThat(dev.wharf.testing.RecordingConsumer.await(() -> codes.contains(GrpcStatus.CANCELLED),
          Duration.ofSeconds(5))).as("cancelled call counted: %s", codes).isTrue();
    } finally {
      age.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }

  /** Sends one request on a fresh connection and returns the headers of the first HEADERS answering it. */
  private static Map<String, String> answer(byte[] block, byte[] data) throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS | (data == null ? Http2Connection.FLAG_END_STREAM : 0), 1,
          block);
      if (data != null) {
        c.frame(DATA, Http2Connection.FLAG_END_STREAM, 1, data);
      }
      RawHttp2Client.Frame h = c.readUntil(HEADERS);
      assertThat(h.streamId()).isEqualTo(1);
      return headers(new HpackDecoder(4096, 8192), h);
    }
  }

  private static byte[] block(String... fields) {
    HpackEncoder e = new HpackEncoder();
    byte[] b = e.encode(fields, fields.length);
    return java.util.Arrays.copyOf(b, e.length());
  }

  @Test
  void grpcRequestChecksAnswerAsGrpcJavaDoes() throws Exception {
    byte[] one = RawHttp2Client.grpcMessage(new byte[] {1});
    String path = "/" + ECHO;
    assertThat(answer(block(":method", "GET", ":scheme", "http", ":path", path, "content-type", "application/grpc"),
        null)).containsEntry(":status", "405").containsEntry("grpc-status", "13");
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type", "text/plain"), one))
        .containsEntry(":status", "415").containsEntry("grpc-status", "13")
        .containsEntry("grpc-message", "Content-Type 'text/plain' is not supported");
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type",
        "application/grpc+proto", "grpc-encoding", "br"), one))
        .containsEntry("grpc-status", "12").containsEntry("grpc-accept-encoding", "gzip");
    byte[] compressedFlag = one.clone();
    compressedFlag[0] = 1;
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type", "application/grpc"),
        compressedFlag)).containsEntry("grpc-status", "13");
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type", "application/grpc"),
        null)).containsEntry("grpc-status", "13").containsEntry("grpc-message", "Half-closed without a request");
    byte[] two = new byte[one.length * 2];
    System.arraycopy(one, 0, two, 0, one.length);
    System.arraycopy(one, 0, two, one.length, one.length);
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type", "application/grpc"),
        two)).containsEntry("grpc-status", "13").containsEntry("grpc-message", "Too many requests");
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", path, "content-type", "application/grpc"),
        java.util.Arrays.copyOf(one, 3))).containsEntry("grpc-status", "13");
    // a message percent-encoded per the gRPC spec
    assertThat(answer(block(":method", "POST", ":scheme", "http", ":path", "/x.Y/Z é%", "content-type",
        "application/grpc"), one)).containsEntry("grpc-status", "12")
        .containsEntry("grpc-message", "Method not found: x.Y/Z %C3%A9%25");
  }

  @Test
  void aMalformedRequestIsResetWithProtocolError() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, block(":method", "POST", ":path", "/" + ECHO,
          "content-type", "application/grpc")); // no :scheme
      RawHttp2Client.Frame rst = c.readUntil(RST_STREAM);
      assertThat(rst.errorCode()).isEqualTo(Http2Connection.PROTOCOL_ERROR);
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 3, block(":method", "POST", ":scheme", "http",
          ":path", "/" + ECHO, "Content-Type", "application/grpc"));
      assertThat(c.readUntil(RST_STREAM).streamId()).isEqualTo(3);
    }
  }

  @Test
  void theResponseWaitsForTheClientsFlowControlWindow() throws Exception {
    try (RawHttp2Client c = new RawHttp2Client(server.port())) {
      c.raw(Http2Connection.PREFACE);
      c.frame(SETTINGS, 0, 0, ByteBuffer.allocate(6).putShort((short) 4).putInt(10).array());
      byte[] msg = RawHttp2Client.grpcMessage(new byte[25]); // 30 bytes: three 10-byte DATA frames
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO));
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 1, msg);
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      for (int i = 0; i < 3; i++) {
        RawHttp2Client.Frame d = c.readUntil(DATA);
        assertThat(d.payload()).hasSize(10);
        got.write(d.payload());
        c.frame(WINDOW_UPDATE, 0, 1, RawHttp2Client.int32(10));
      }
      assertThat(got.toByteArray()).isEqualTo(msg);
      RawHttp2Client.Frame trailers = c.readUntil(HEADERS);
      assertThat(headers(new HpackDecoder(4096, 8192), trailers)).containsEntry("grpc-status", "0");
    }
  }

  @Test
  void randomFramesNeverBreakTheServer() throws Exception {
    java.util.Random random = new java.util.Random(7);
    for (int round = 0; round < 60; round++) {
      try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
        for (int i = 0; i < 8; i++) {
          byte[] payload = new byte[random.nextInt(40)];
          random.nextBytes(payload);
          c.frame(random.nextInt(11), random.nextInt(256), random.nextInt(6), payload);
        }
        c.frame(PING, 0, 0, new byte[8]);
        // either still serving (PING ACK) or closed with GOAWAY; never hanging
        RawHttp2Client.Frame f;
        do {
          f = c.read();
        } while (f != null && !(f.type() == PING && f.flags() == Http2Connection.FLAG_ACK) && f.type() != GOAWAY);
      } catch (java.net.SocketException e) {
        // reset by the server after its GOAWAY: fine
      }
    }
    // and it still serves
    try (RawHttp2Client c = new RawHttp2Client(server.port()).start()) {
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO));
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 1, RawHttp2Client.grpcMessage(new byte[] {5}));
      assertThat(c.readUntil(DATA).payload()).isEqualTo(RawHttp2Client.grpcMessage(new byte[] {5}));
    }
  }

  @Test
  void streamsBeyondMaxConcurrentStreamsAreRefused() throws Exception {
    GrpcServer limited = echoServer(GrpcServer.builder().maxConcurrentStreams(1), new ConcurrentLinkedQueue<>());
    try (RawHttp2Client c = new RawHttp2Client(limited.port()).start()) {
      RawHttp2Client.Frame settings = c.read();
      ByteBuffer b = ByteBuffer.wrap(settings.payload());
      Map<Integer, Integer> values = new LinkedHashMap<>();
      while (b.hasRemaining()) {
        values.put((int) b.getShort(), b.getInt());
      }
      assertThat(values).containsEntry(Http2Connection.SETTINGS_MAX_CONCURRENT_STREAMS, 1);
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 1, c.requestHeaders("/" + ECHO)); // left open
      c.frame(HEADERS, Http2Connection.FLAG_END_HEADERS, 3, c.requestHeaders("/" + ECHO));
      RawHttp2Client.Frame rst = c.readUntil(RST_STREAM);
      assertThat(rst.streamId()).isEqualTo(3);
      assertThat(rst.errorCode()).isEqualTo(Http2Connection.REFUSED_STREAM);
      // the open one still completes
      c.frame(DATA, Http2Connection.FLAG_END_STREAM, 1, RawHttp2Client.grpcMessage(new byte[] {1}));
      assertThat(c.readUntil(DATA).streamId()).isEqualTo(1);
    } finally {
      limited.shutdown(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
    }
  }

  private static int count(int code) {
    int n = 0;
    for (int c : completed) {
      if (c == code) {
        n++;
      }
    }
    return n;
  }
}
