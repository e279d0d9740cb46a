package dev.wharf.processor.resourcedetection;

import dev.wharf.component.Host;
import dev.wharf.component.Processor;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.processor.attraction.ResourceMapper;
import io.opentelemetry.proto.resource.v1.Resource;

/**
 * Merges the detected resource into the resource of every {@code Resource*} entry. Detection runs in
 * {@link #start} (shared by every pipeline using the same processor id) and, with a
 * {@code refresh_interval}, on a background thread; never per batch.
 */
final class ResourceDetectionProcessor<T extends com.google.protobuf.Message> implements Processor<T> {
  private final Signal<T> signal;
  private final SharedDetection detection;
  private final TelemetryConsumer<T> next;
  private final ResourceMapper.Transform transform;
  private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

  ResourceDetectionProcessor(Signal<T> signal, SharedDetection detection, TelemetryConsumer<T> next) {
    this.signal = signal;
    this.detection = detection;
    this.next = next;
    this.transform = new ResourceMapper.Transform() {
      @Override
      public Resource resource(Resource r) {
        return detection.current().merge(r);
      }

      @Override
      public String schemaUrl(String current) {
        return detection.current().mergeSchemaUrl(current);
      }
    };
  }

  @Override
  public void start(Host host) {
    detection.start();
  }

  @Override
  public void consume(T data) {
    if (detection.current().isEmpty()) {
      next.consume(data);
      return;
    }
    next.consume(ResourceMapper.map(signal, data, transform));
  }

  @Override
  public void shutdown(long deadlineNanos) {
    if (released.compareAndSet(false, true)) {
      detection.release();
    }
  }
}
