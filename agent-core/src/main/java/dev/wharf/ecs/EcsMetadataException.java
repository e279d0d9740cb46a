package dev.wharf.ecs;

import java.io.IOException;

/** A metadata endpoint request failed: unreachable, timed out, non-200 status or a malformed body. */
public final class EcsMetadataException extends IOException {
  private static final long serialVersionUID = 1L;

  public EcsMetadataException(String message) {
    super(message);
  }

  public EcsMetadataException(String message, Throwable cause) {
    super(message, cause);
  }
}
