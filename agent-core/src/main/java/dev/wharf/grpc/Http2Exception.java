package dev.wharf.grpc;

/**
 * An HTTP/2 error (RFC 9113 section 5.4): a connection error when {@code streamId} is 0 (GOAWAY, close), else a
 * stream error (RST_STREAM). Stackless: they are answers to bad input, not bugs.
 */
final class Http2Exception extends Exception {
  private static final long serialVersionUID = 1L;
  final int code;
  final int streamId;

  Http2Exception(int code, int streamId, String message) {
    super(message, null, false, false);
    this.code = code;
    this.streamId = streamId;
  }

  static Http2Exception connection(int code, String message) {
    return new Http2Exception(code, 0, message);
  }
}
