package dev.wharf.component;

import dev.wharf.pipeline.Consumers;

/** Creates receivers: one instance per receiver id, feeding every pipeline that lists it. */
public interface ReceiverFactory<C> extends ComponentFactory<C> {

  @Override
  default ComponentKind kind() {
    return ComponentKind.RECEIVER;
  }

  /** {@code next} holds a consumer for each signal the receiver is used with; the others are null. */
  Component createReceiver(ComponentContext context, C config, Consumers next);
}
