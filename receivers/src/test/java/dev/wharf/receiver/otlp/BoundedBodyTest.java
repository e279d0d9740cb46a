package dev.wharf.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {

  /** Counts what the decoder pulled from the raw stream. */
  static final class Counting extends java.io.FilterInputStream {
    final AtomicLong read = new AtomicLong();

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
      int r = super.read(b, off, len);
      if (r > 0) {
        read.addAndGet(r);
      }
      return r;
    }
  }

  @Test
  void aGzipBombStopsAtTheLimitWithoutReadingItAll() throws Exception {
    byte[] bomb = OtlpReceiverBadInputTest.gzip(new byte[1024 * 1024], 128); // 128 MiB of zeros
    Counting raw = new Counting(new ByteArrayInputStream(bomb));
    InputStream in = BoundedBody.decoding(BoundedBody.limited(raw, 1 << 20), "gzip");
    assertThatThrownBy(() -> BoundedBody.read(in, 1 << 20, -1))
        .isInstanceOf(BoundedBody.TooLargeException.class).hasMessageContaining("1048576 bytes");
    // only about 1/128 of the compressed input was consumed: it was never inflated in full
    assertThat(raw.read.get()).isLessThan(bomb.length / 8);
  }

  @Test
  void readsBodiesUpToTheLimitExactly() throws Exception {
    byte[] data = new byte[1000];
    data[999] = 7;
    assertThat(BoundedBody.read(new ByteArrayInputStream(data), 1000, 1000)).isEqualTo(data);
    assertThat(BoundedBody.read(new ByteArrayInputStream(data), 1000, -1)).isEqualTo(data);
    assertThatThrownBy(() -> BoundedBody.read(new ByteArrayInputStream(data), 999, -1))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThatThrownBy(() -> BoundedBody.read(BoundedBody.limited(new ByteArrayInputStream(data), 10), 5000, -1))
        .isInstanceOf(BoundedBody.TooLargeException.class);
    assertThatThrownBy(() -> BoundedBody.decoding(new ByteArrayInputStream(data), "br"))
        .isInstanceOf(BoundedBody.UnsupportedEncodingException.class).hasMessage("unsupported Content-Encoding: \"br\"");
  }
}
