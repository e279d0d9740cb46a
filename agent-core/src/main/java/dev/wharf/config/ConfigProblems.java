package dev.wharf.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Every problem found in a configuration, collected so they are all reported together before any
 * port is opened.
 */
public final class ConfigProblems {

  /** One problem: the full key path and what was expected. */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path.isEmpty() ? message : path + ": " + message;
    }
  }

  private final List<Problem> problems = new ArrayList<>();

  public void add(String path, String message) {
    problems.add(new Problem(path, message));
  }

  public boolean isEmpty() {
    return problems.isEmpty();
  }

  public List<Problem> list() {
    return List.copyOf(problems);
  }

  /** Throws {@link ConfigException} listing every problem, if there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw new ConfigException(list());
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Problem p : problems) {
      sb.append(p).append('\n');
    }
    return sb.toString();
  }
}
