package dev.wharf.exporterhelper;

import dev.wharf.pipeline.Signal;

/**
 * A storage extension (e.g. {@code file_storage}) that can hold an exporter's sending queue across
 * restarts. Named by {@code sending_queue.storage}.
 */
public interface QueueStorage {

  /**
   * Opens (or recovers) the persistent queue called {@code name} (unique per exporter id and signal)
   * holding requests of {@code signal}.
   */
  <T extends com.google.protobuf.Message> SendingQueue<T> openQueue(
      String name, Signal<T> signal, QueueSettings settings) throws java.io.IOException;
}
