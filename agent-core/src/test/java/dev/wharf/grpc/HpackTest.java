package dev.wharf.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HPACK decoding against the examples of RFC 7541 Appendix C, and against Netty's encoder as a real peer. */
class HpackTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", "").replace("\n", ""));
  }

  private static List<String> decode(HpackDecoder d, String hex) throws Http2Exception {
    byte[] b = hex(hex);
    List<String> out = new ArrayList<>();
    assertThat(d.decode(b, 0, b.length, out)).isTrue();
    return out;
  }

  @Test
  void c2SingleRepresentations() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 8192);
    // C.2.1 literal with indexing
    assertThat(decode(d, "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))
        .containsExactly("custom-key", "custom-header");
    assertThat(d.tableSize()).isEqualTo(55);
    // C.2.2 literal without indexing
    HpackDecoder d2 = new HpackDecoder(4096, 8192);
    assertThat(decode(d2, "040c 2f73 616d 706c 652f 7061 7468")).containsExactly(":path", "/sample/path");
    assertThat(d2.tableSize()).isZero();
    // C.2.3 never indexed
    assertThat(decode(d2, "1008 7061 7373 776f 7264 0673 6563 7265 74")).containsExactly("password", "secret");
    assertThat(d2.tableSize()).isZero();
    // C.2.4 indexed
    assertThat(decode(d2, "82")).containsExactly(":method", "GET");
  }

  @Test
  void c3RequestsWithoutHuffman() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 8192);
    assertThat(decode(d, "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d")).containsExactly(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com");
    assertThat(d.tableSize()).isEqualTo(57);
    assertThat(decode(d, "8286 84be 5808 6e6f 2d63 6163 6865")).containsExactly(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com", "cache-control", "no-cache");
    assertThat(d.tableSize()).isEqualTo(110);
    assertThat(decode(d, "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"))
        .containsExactly(":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com",
            "custom-key", "custom-value");
    assertThat(d.tableSize()).isEqualTo(164);
    assertThat(d.entryCount()).isEqualTo(3);
  }

  @Test
  void c4RequestsWithHuffman() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 8192);
    assertThat(decode(d, "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")).containsExactly(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com");
    assertThat(decode(d, "8286 84be 5886 a8eb 1064 9cbf")).containsExactly(
        ":method", "GET", ":scheme", "http", ":path", "/", ":authority", "www.example.com", "cache-control", "no-cache");
    assertThat(decode(d, "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf")).containsExactly(
        ":method", "GET", ":scheme", "https", ":path", "/index.html", ":authority", "www.example.com",
        "custom-key", "custom-value");
    assertThat(d.tableSize()).isEqualTo(164);
  }

  private static final String DATE1 = "Mon, 21 Oct 2013 20:13:21 GMT";
  private static final String DATE2 = "Mon, 21 Oct 2013 20:13:22 GMT";
  private static final String COOKIE = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

  @Test
  void c5ResponsesWithoutHuffmanAndEviction() throws Exception {
    HpackDecoder d = new HpackDecoder(256, 8192);
    assertThat(decode(d, "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032"
        + "303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d"))
        .containsExactly(":status", "302", "cache-control", "private", "date", DATE1, "location",
            "https://www.example.com");
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(decode(d, "4803 3330 37c1 c0bf")).containsExactly(":status", "307", "cache-control", "private",
        "date", DATE1, "location", "https://www.example.com");
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(decode(d, "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0"
        + "5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b"
        + "206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31"))
        .containsExactly(":status", "200", "cache-control", "private", "date", DATE2, "location",
            "https://www.example.com", "content-encoding", "gzip", "set-cookie", COOKIE);
    assertThat(d.tableSize()).isEqualTo(215);
    assertThat(d.entryCount()).isEqualTo(3);
  }

  @Test
  void c6ResponsesWithHuffmanAndEviction() throws Exception {
    HpackDecoder d = new HpackDecoder(256, 8192);
    assertThat(decode(d, "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b"
        + "ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"))
        .containsExactly(":status", "302", "cache-control", "private", "date", DATE1, "location",
            "https://www.example.com");
    assertThat(d.tableSize()).isEqualTo(222);
    assertThat(decode(d, "4883 640e ffc1 c0bf")).containsExactly(":status", "307", "cache-control", "private",
        "date", DATE1, "location", "https://www.example.com");
    assertThat(decode(d, "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad"
        + "94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5"
        + "b106 3d50 07"))
        .containsExactly(":status", "200", "cache-control", "private", "date", DATE2, "location",
            "https://www.example.com", "content-encoding", "gzip", "set-cookie", COOKIE);
    assertThat(d.tableSize()).isEqualTo(215);
  }

  @Test
  void huffmanCodesMatchTheRfcAndRoundTrip() throws Exception {
    // rows of RFC 7541 Appendix B
    assertThat(Huffman.CODES[0]).isEqualTo(0x1ff8);
    assertThat(Huffman.CODES[1]).isEqualTo(0x7fffd8);
    assertThat(Huffman.CODES[10]).isEqualTo(0x3ffffffc);
    assertThat(Huffman.CODES['0']).isEqualTo(0x0);
    assertThat(Huffman.CODES['a']).isEqualTo(0x3);
    assertThat(Huffman.CODES[' ']).isEqualTo(0x14);
    assertThat(Huffman.CODES[255]).isEqualTo(0x3ffffee);
    assertThat(Huffman.CODES[Huffman.EOS]).isEqualTo(0x3fffffff);
    // the examples' encodings
    assertThat(Huffman.encode("www.example.com".getBytes(StandardCharsets.ISO_8859_1)))
        .isEqualTo(hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"));
    assertThat(Huffman.encode("no-cache".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(hex("a8eb 1064 9cbf"));
    assertThat(Huffman.encode("custom-value".getBytes(StandardCharsets.ISO_8859_1)))
        .isEqualTo(hex("25a8 49e9 5bb8 e8b4 bf"));
    // every octet value round-trips
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    byte[] enc = Huffman.encode(all);
    assertThat(Huffman.decode(enc, 0, enc.length).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(all);
  }

  @Test
  void malformedBlocksAreCompressionErrors() {
    HpackDecoder d = new HpackDecoder(4096, 8192);
    List<String> out = new ArrayList<>();
    for (String bad : new String[] {
        "80", // index 0
        "be", // dynamic index beyond the (empty) table
        "400a 6375", // string longer than the block
        "3fe2 1f", // size update to 4097, above SETTINGS_HEADER_TABLE_SIZE (4096)
        "82 20", // size update after a field
        "ff ff ff ff ff ff", // integer overflow / truncated
        "4082 ffff 80", // Huffman string ending with more than 7 bits of padding (a 30-bit EOS prefix)
        "4081 00 00", // Huffman padding not all ones
    }) {
      byte[] b = hex(bad);
      assertThatThrownBy(() -> d.decode(b, 0, b.length, out)).as(bad).isInstanceOfSatisfying(Http2Exception.class,
          e -> assertThat(e.code).isEqualTo(Http2Connection.COMPRESSION_ERROR));
    }
  }

  @Test
  void aHeaderListOverTheLimitIsReportedButTheTableStaysInStep() throws Exception {
    HpackDecoder d = new HpackDecoder(4096, 100);
    byte[] big = new byte[2 + 10 + 1 + 80];
    big[0] = 0x40;
    big[1] = 10;
    System.arraycopy("custom-key".getBytes(StandardCharsets.ISO_8859_1), 0, big, 2, 10);
    big[12] = 80;
    java.util.Arrays.fill(big, 13, big.length, (byte) 'v');
    List<String> out = new ArrayList<>();
    assertThat(d.decode(big, 0, big.length, out)).isFalse();
    assertThat(out).isEmpty();
    assertThat(d.entryCount()).isEqualTo(1); // still indexed, as the encoder expects
    out.clear();
    byte[] ref = hex("be");
    assertThat(d.decode(ref, 0, ref.length, out)).isFalse();
  }

  @Test
  void decodesWhatNettysEncoderProducesWithDynamicTableAndHuffman() throws Exception {
    DefaultHttp2HeadersEncoder netty = new DefaultHttp2HeadersEncoder();
    HpackDecoder d = new HpackDecoder(4096, 8192);
    for (int round = 0; round < 20; round++) {
      Http2Headers h = new DefaultHttp2Headers()
          .method("POST").scheme("http").path("/opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .authority("127.0.0.1:4317");
      h.add("content-type", "application/grpc");
      h.add("te", "trailers");
      h.add("user-agent", "grpc-java-netty/1.85.1");
      h.add("grpc-timeout", (round + 1) + "m");
      h.add("x-round", "value-" + round + "-" + "x".repeat(round * 7));
      ByteBuf buf = Unpooled.buffer();
      netty.encodeHeaders(1 + 2 * round, h, buf);
      byte[] block = new byte[buf.readableBytes()];
      buf.readBytes(block);
      List<String> out = new ArrayList<>();
      assertThat(d.decode(block, 0, block.length, out)).isTrue();
      Map<String, String> got = new java.util.LinkedHashMap<>();
      for (int i = 0; i < out.size(); i += 2) {
        got.put(out.get(i), out.get(i + 1));
      }
      assertThat(got).containsEntry(":path", "/opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .containsEntry(":method", "POST").containsEntry("grpc-timeout", (round + 1) + "m")
          .containsEntry("x-round", "value-" + round + "-" + "x".repeat(round * 7)).hasSize(9);
    }
    assertThat(d.entryCount()).as("netty indexes into the dynamic table").isPositive();
  }

  @Test
  void ourEncoderIsReadByOurDecoder() throws Exception {
    HpackEncoder e = new HpackEncoder();
    String[] fields = {":status", "415", "content-type", "application/grpc", "grpc-message", "x".repeat(300)};
    byte[] block = e.encode(fields, fields.length);
    List<String> out = new ArrayList<>();
    new HpackDecoder(4096, 8192).decode(block, 0, e.length(), out);
    assertThat(out).containsExactly(fields);
  }
}
