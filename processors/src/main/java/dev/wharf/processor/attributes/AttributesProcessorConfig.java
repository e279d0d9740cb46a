package dev.wharf.processor.attributes;

import dev.wharf.config.ConfigNode;
import dev.wharf.config.ConfigProblems;
import dev.wharf.pipeline.Signal;
import dev.wharf.processor.attraction.AttributeActions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code processors.attributes}: {@code actions} (required) and the optional {@code include} /
 * {@code exclude} match blocks. Whether a match block suits a signal is only known when the
 * processor is created for a pipeline; see {@link #problemsFor}.
 */
public record AttributesProcessorConfig(AttributeActions actions, MatchProperties include, MatchProperties exclude) {

  public static AttributesProcessorConfig parse(ConfigNode node) {
    AttributeActions actions = AttributeActions.parse(node, "actions");
    MatchProperties include = MatchProperties.parse(node, "include");
    MatchProperties exclude = MatchProperties.parse(node, "exclude");
    return new AttributesProcessorConfig(actions, include, exclude);
  }

  /** The problems of the include/exclude blocks for a pipeline of {@code signal}. */
  public List<ConfigProblems.Problem> problemsFor(Signal<?> signal) {
    List<ConfigProblems.Problem> out = new ArrayList<>();
    for (MatchProperties m : new MatchProperties[] {include, exclude}) {
      if (m != null) {
        for (String[] p : m.problemsFor(signal)) {
          out.add(new ConfigProblems.Problem(p[0], p[1] + " (in a " + signal.id() + " pipeline)"));
        }
      }
    }
    return out;
  }
}
