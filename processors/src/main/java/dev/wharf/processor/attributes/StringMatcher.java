package dev.wharf.processor.attributes;

import dev.wharf.processor.attraction.GoRegex;
import java.util.List;

/** Upstream's filterset: a string matches if it equals (strict) or contains a match of (regexp) any item. */
final class StringMatcher {
  private final List<String> strict;
  private final List<GoRegex> regexps;

  private StringMatcher(List<String> strict, List<GoRegex> regexps) {
    this.strict = strict;
    this.regexps = regexps;
  }

  static StringMatcher strict(List<String> items) {
    return new StringMatcher(List.copyOf(items), null);
  }

  static StringMatcher regexp(List<GoRegex> items) {
    return new StringMatcher(null, List.copyOf(items));
  }

  boolean matches(String s) {
    if (strict != null) {
      return strict.contains(s);
    }
    for (GoRegex r : regexps) {
      if (r.matches(s)) {
        return true;
      }
    }
    return false;
  }
}
