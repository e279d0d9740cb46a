package dev.wharf.grpc;

/**
 * The outcome of a unary call: one response message ({@link #ok}), or a status with a message and optional
 * {@code grpc-status-details-bin} (a serialized {@code google.rpc.Status}) sent as a trailers-only response.
 */
public final class GrpcResponse {
  private final int code;
  private final byte[] message;
  private final String description;
  private final byte[] statusDetails;

  private GrpcResponse(int code, byte[] message, String description, byte[] statusDetails) {
    this.code = code;
    this.message = message;
    this.description = description;
    this.statusDetails = statusDetails;
  }

  /** A successful call answering {@code responseMessage} (the serialized response, not length-prefixed). */
  public static GrpcResponse ok(byte[] responseMessage) {
    if (responseMessage == null) {
      throw new NullPointerException("responseMessage");
    }
    return new GrpcResponse(GrpcStatus.OK, responseMessage, null, null);
  }

  /**
   * A failed call.
   *
   * @param code a {@link GrpcStatus} code other than OK
   * @param description the {@code grpc-message}; may be null
   * @param statusDetails a serialized {@code google.rpc.Status} for {@code grpc-status-details-bin}; may be null
   */
  public static GrpcResponse error(int code, String description, byte[] statusDetails) {
    if (code <= GrpcStatus.OK || code > GrpcStatus.UNAUTHENTICATED) {
      throw new IllegalArgumentException("not an error status code: " + code);
    }
    return new GrpcResponse(code, null, description, statusDetails);
  }

  public int code() {
    return code;
  }

  /** The response message of a successful call; null for an error. */
  public byte[] message() {
    return message;
  }

  public String description() {
    return description;
  }

  public byte[] statusDetails() {
    return statusDetails;
  }
}
