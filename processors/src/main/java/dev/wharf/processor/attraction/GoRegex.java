package dev.wharf.processor.attraction;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the regular expressions of upstream configs (Go RE2 syntax) with java.util.regex. Named
 * groups may be written {@code (?P<name>...)} or {@code (?<name>...)} and may contain {@code _} and
 * {@code .}, which Java's group names cannot: they are renamed {@code g1, g2, ...} and the original
 * names kept in order. Matching uses {@link Matcher#find()}, as Go's {@code MatchString} is unanchored.
 */
public record GoRegex(Pattern pattern, List<String> groupNames, int groupCount) {

  private static final Pattern NAMED = Pattern.compile("\\(\\?P?<([A-Za-z_][A-Za-z0-9_.]*)>");

  /** Compiles {@code regex}; throws PatternSyntaxException when it is invalid. */
  public static GoRegex compile(String regex) {
    StringBuilder out = new StringBuilder();
    List<String> names = new ArrayList<>();
    Matcher m = NAMED.matcher(regex);
    int last = 0;
    while (m.find()) {
      if (escaped(regex, m.start())) {
        continue;
      }
      names.add(m.group(1));
      out.append(regex, last, m.start()).append("(?<g").append(names.size()).append('>');
      last = m.end();
    }
    out.append(regex.substring(last));
    Pattern p;
    try {
      p = Pattern.compile(out.toString());
    } catch (PatternSyntaxException e) {
      throw new PatternSyntaxException(e.getDescription(), regex, -1);
    }
    return new GoRegex(p, List.copyOf(names), p.matcher("").groupCount());
  }

  /** True when the preceding run of backslashes is odd (the parenthesis is a literal). */
  private static boolean escaped(String s, int index) {
    int n = 0;
    for (int i = index - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      n++;
    }
    return n % 2 == 1;
  }

  /** Whether every capturing group has a name. */
  public boolean allGroupsNamed() {
    return groupNames.size() == groupCount;
  }

  public boolean matches(String s) {
    return pattern.matcher(s).find();
  }
}
