package dev.wharf.component;

import dev.wharf.config.ConfigNode;
import dev.wharf.pipeline.Signal;
import java.util.Map;

/**
 * Creates components of one type. Found with {@link java.util.ServiceLoader} through one of the
 * four sub-interfaces; list the implementation in {@code META-INF/services/<sub-interface>}.
 *
 * @param <C> the typed, immutable config (a record)
 */
public interface ComponentFactory<C> {

  /** The type name used in the config, e.g. {@code otlp}, {@code batch}, {@code awsxray}. */
  String type();

  ComponentKind kind();

  /** Signals the component supports and their stability; empty for extensions. */
  Map<Signal<?>, Stability> signals();

  /** Stability of an extension (ignored for the other kinds, which use {@link #signals()}). */
  default Stability stability() {
    return Stability.BETA;
  }

  /**
   * Binds the component's config from its YAML node (empty when the YAML value is null, as in
   * {@code health_check:}). Report every problem on {@code node} (they name the full key path);
   * unknown keys are reported by the caller after this returns, so read every key you support.
   * Return a config even when problems were reported (use defaults); it is only used if none were.
   */
  C parseConfig(ConfigNode node);

  /**
   * Problems of {@code config} that only show when the component is used in a pipeline of
   * {@code signal} (e.g. a match property that only applies to logs, in a traces pipeline). Checked
   * at validation for every pipeline using the component, so {@code wharf validate} reports them.
   */
  default java.util.List<dev.wharf.config.ConfigProblems.Problem> problemsFor(C config, Signal<?> signal) {
    return java.util.List.of();
  }
}
