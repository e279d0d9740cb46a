package dev.wharf.grpc;

/**
 * Serves one unary gRPC method: the request message's bytes (already decompressed and size-checked) in, a
 * {@link GrpcResponse} out. Runs on the server's executor; may block. An exception it throws is answered
 * UNKNOWN, as grpc-java does.
 */
@FunctionalInterface
public interface UnaryHandler {
  GrpcResponse handle(byte[] requestMessage);
}
