package dev.wharf.processor.resource;

import dev.wharf.config.ConfigNode;
import dev.wharf.processor.attraction.AttributeActions;

/** {@code processors.resource}: {@code attributes}, the ordered list of attribute actions (required). */
public record ResourceProcessorConfig(AttributeActions attributes) {

  public static ResourceProcessorConfig parse(ConfigNode node) {
    return new ResourceProcessorConfig(AttributeActions.parse(node, "attributes"));
  }
}
