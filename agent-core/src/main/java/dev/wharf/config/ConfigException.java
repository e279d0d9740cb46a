package dev.wharf.config;

import java.util.List;

/** The configuration is invalid; the message lists every problem, one per line. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblems.Problem> problems;

  public ConfigException(List<ConfigProblems.Problem> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String message) {
    this(List.of(new ConfigProblems.Problem("", message)));
  }

  public List<ConfigProblems.Problem> problems() {
    return problems;
  }

  private static String format(List<ConfigProblems.Problem> problems) {
    StringBuilder sb = new StringBuilder("invalid configuration (")
        .append(problems.size()).append(problems.size() == 1 ? " problem" : " problems").append("):");
    for (ConfigProblems.Problem p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
