package dev.wharf.processor.resource;

import dev.wharf.component.Processor;
import dev.wharf.pipeline.Signal;
import dev.wharf.pipeline.TelemetryConsumer;
import dev.wharf.processor.attraction.AttributeActions;
import dev.wharf.processor.attraction.ResourceMapper;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;

/**
 * Applies the configured attribute actions to the resource of every {@code Resource*} entry and
 * hands the data on. Entries whose resource is unchanged are shared, not copied.
 */
final class ResourceProcessor<T extends com.google.protobuf.Message> implements Processor<T> {
  private final Signal<T> signal;
  private final TelemetryConsumer<T> next;
  private final ResourceMapper.Transform transform;

  ResourceProcessor(Signal<T> signal, AttributeActions actions, TelemetryConsumer<T> next) {
    this.signal = signal;
    this.next = next;
    this.transform = resource -> {
      List<KeyValue> in = resource.getAttributesList();
      List<KeyValue> out = actions.apply(in);
      return out == in ? resource : resource.toBuilder().clearAttributes().addAllAttributes(out).build();
    };
  }

  @Override
  public void consume(T data) {
    next.consume(ResourceMapper.map(signal, data, transform));
  }

  /** The transform alone, for tests and callers applying it to one resource. */
  Resource apply(Resource r) {
    return transform.resource(r);
  }
}
