package dev.wharf.service;

import dev.wharf.pipeline.Signal;

/** A pipeline id as written under service.pipelines: {@code traces}, {@code metrics/application}. */
public record PipelineId(Signal<?> signal, String name) {
  @Override
  public String toString() {
    return name.isEmpty() ? signal.id() : signal.id() + "/" + name;
  }
}
