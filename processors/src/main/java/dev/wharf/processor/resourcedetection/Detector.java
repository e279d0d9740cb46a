package dev.wharf.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.List;

/** One resource detector (env, system, ecs, ec2): reads its source once per detection. */
interface Detector {

  /** The detector's name as written in {@code detectors}. */
  String type();

  /**
   * Detects the resource. Returns an empty result when the source does not apply (e.g. not on ECS);
   * throws when it applies but could not be read.
   *
   * @param deadlineNanos {@link System#nanoTime()} by which to give up
   */
  Detected detect(long deadlineNanos) throws DetectionException;

  /** Attributes in the order the detector sets them, and its schema URL ("" for none). */
  record Detected(List<KeyValue> attributes, String schemaUrl) {
    static final Detected EMPTY = new Detected(List.of(), "");

    public Detected {
      attributes = List.copyOf(attributes);
    }
  }

  /** Detection failed. {@code retryable} false means trying again cannot help (bad input). */
  final class DetectionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    DetectionException(String message, boolean retryable) {
      super(message);
      this.retryable = retryable;
    }

    DetectionException(String message, Throwable cause) {
      super(message, cause);
      this.retryable = true;
    }

    boolean retryable() {
      return retryable;
    }
  }
}
