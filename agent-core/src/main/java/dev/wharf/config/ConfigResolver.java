package dev.wharf.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Turns config locations into one effective config map, as the upstream collector's confmap
 * resolver does: each location ({@code file:}, bare path, {@code env:}, {@code yaml:},
 * {@code http(s):}) is retrieved and merged over the previous ones (maps merge key by key, lists are
 * replaced), then {@code ${...}} references are expanded. {@code a::b} keys nest.
 */
public final class ConfigResolver {
  /** Upstream's limit on the number of locations. */
  public static final int MAX_LOCATIONS = 100;

  private static final Logger LOG = Logger.getLogger("wharf.config");
  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):(.*)$", Pattern.DOTALL);
  private static final Pattern VAR_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
  private static final int MAX_EXPANSION_DEPTH = 1000;

  private final Map<String, String> env;
  private final Function<URI, String> httpGet;

  /**
   * @param env the environment ({@code System.getenv()} in the CLI; tests pass their own)
   * @param httpGet fetches an {@code http(s):} location's text; null for the default client
   */
  public ConfigResolver(Map<String, String> env, Function<URI, String> httpGet) {
    this.env = env;
    this.httpGet = httpGet != null ? httpGet : ConfigResolver::defaultHttpGet;
  }

  public ConfigResolver(Map<String, String> env) {
    this(env, null);
  }

  /**
   * The effective config of {@code locations}, in order. Throws {@link ConfigException} naming the
   * location when one cannot be read or parsed.
   */
  public Map<String, Object> resolve(List<String> locations) {
    if (locations.size() > MAX_LOCATIONS) {
      throw new ConfigException("too many configuration locations: " + locations.size()
          + " (at most " + MAX_LOCATIONS + ")");
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    for (String location : locations) {
      Object retrieved = retrieve(location);
      if (retrieved == null) {
        continue;
      }
      if (!(retrieved instanceof Map<?, ?> m)) {
        throw new ConfigException("location '" + abbreviate(location)
            + "': expected a YAML map at the top level, got " + ConfigNode.describe(retrieved));
      }
      merge(merged, nest(m));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> expanded = (Map<String, Object>) expand(merged, 0);
    return expanded;
  }

  /** Converts {@code --set a.b.c=value} into its location {@code yaml:a::b::c: value}. */
  public static String setToLocation(String set) {
    int eq = set.indexOf('=');
    if (eq < 0) {
      throw new ConfigException("--set '" + set + "': missing equal sign");
    }
    String key = set.substring(0, eq).trim();
    String value = set.substring(eq + 1).trim();
    return "yaml:" + key.replace(".", "::") + ": " + value;
  }

  // ---- retrieval ----

  private Object retrieve(String location) {
    var m = SCHEME.matcher(location);
    if (!m.matches()) {
      return readFile(location, location);
    }
    String scheme = m.group(1);
    String opaque = m.group(2);
    switch (scheme) {
      case "file":
        return readFile(opaque, location);
      case "env": {
        checkVarName(opaque, location);
        String text = env.get(opaque);
        if (text == null) {
          LOG.warning("Configuration references unset environment variable " + opaque);
          return null;
        }
        return parseYaml(text, location);
      }
      case "yaml":
        return parseYaml(opaque, location);
      case "http":
      case "https":
        return parseYaml(fetch(location), location);
      case "s3":
        throw new ConfigException("location '" + location + "': the s3 scheme is not supported by Wharf yet;"
            + " use file:, env:, yaml:, http: or https:");
      default:
        throw new ConfigException("location '" + abbreviate(location) + "': unsupported scheme on URI '"
            + scheme + "' (supported: file, env, yaml, http, https)");
    }
  }

  private Object readFile(String path, String location) {
    try {
      return parseYaml(Files.readString(Path.of(path), StandardCharsets.UTF_8), location);
    } catch (NoSuchFileException e) {
      throw new ConfigException("location '" + location + "': no such file");
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException("location '" + location + "': cannot read file: " + e.getMessage());
    }
  }

  private String fetch(String location) {
    try {
      return httpGet.apply(URI.create(location));
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ConfigException("location '" + location + "': " + e.getMessage());
    }
  }

  private static String defaultHttpGet(URI uri) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      HttpResponse<String> r = client.send(
          HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() / 100 != 2) {
        throw new ConfigException("location '" + uri + "': HTTP status " + r.statusCode());
      }
      return r.body();
    } catch (IOException e) {
      throw new ConfigException("location '" + uri + "': " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("location '" + uri + "': interrupted");
    }
  }

  static Object parseYaml(String text, String location) {
    LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false)
        .setLabel(abbreviate(location)).build();
    try {
      return new Load(settings).loadFromString(text);
    } catch (YamlEngineException e) {
      throw new ConfigException("location '" + abbreviate(location) + "': invalid YAML: "
          + e.getMessage().replace('\n', ' '));
    }
  }

  private static String abbreviate(String location) {
    // yaml: and env: payloads can be whole configs; name them briefly.
    if (location.startsWith("yaml:") && location.length() > 60) {
      return location.substring(0, 57) + "...";
    }
    return location;
  }

  private static void checkVarName(String name, String where) {
    if (!VAR_NAME.matcher(name).matches()) {
      throw new ConfigException("'" + where + "': environment variable name '" + name
          + "' must match " + VAR_NAME.pattern());
    }
  }

  // ---- merging ----

  /** Splits {@code a::b} keys into nested maps, recursively. */
  static Map<String, Object> nest(Map<?, ?> in) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : in.entrySet()) {
      Object v = e.getValue() instanceof Map<?, ?> m ? nest(m) : nestList(e.getValue());
      String key = String.valueOf(e.getKey());
      String[] parts = key.split("::", -1);
      Map<String, Object> target = out;
      for (int i = 0; i < parts.length - 1; i++) {
        Object existing = target.get(parts[i]);
        if (!(existing instanceof Map)) {
          Map<String, Object> created = new LinkedHashMap<>();
          target.put(parts[i], created);
          target = created;
        } else {
          @SuppressWarnings("unchecked")
          Map<String, Object> em = (Map<String, Object>) existing;
          target = em;
        }
      }
      String last = parts[parts.length - 1];
      if (v instanceof Map<?, ?> vm && target.get(last) instanceof Map<?, ?>) {
        @SuppressWarnings("unchecked")
        Map<String, Object> em = (Map<String, Object>) target.get(last);
        @SuppressWarnings("unchecked")
        Map<String, Object> vmm = (Map<String, Object>) vm;
        merge(em, vmm);
      } else {
        target.put(last, v);
      }
    }
    return out;
  }

  private static Object nestList(Object v) {
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(o instanceof Map<?, ?> m ? nest(m) : nestList(o));
      }
      return out;
    }
    return v;
  }

  /** Merges {@code src} into {@code dst}: maps recursively, anything else (lists too) replaced. */
  @SuppressWarnings("unchecked")
  static void merge(Map<String, Object> dst, Map<String, Object> src) {
    for (Map.Entry<String, Object> e : src.entrySet()) {
      Object existing = dst.get(e.getKey());
      if (existing instanceof Map && e.getValue() instanceof Map) {
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) existing);
        merge(copy, (Map<String, Object>) e.getValue());
        dst.put(e.getKey(), copy);
      } else {
        dst.put(e.getKey(), e.getValue());
      }
    }
  }

  // ---- expansion ----

  private Object expand(Object value, int depth) {
    if (value instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put(String.valueOf(e.getKey()), expand(e.getValue(), depth));
      }
      return out;
    }
    if (value instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(expand(o, depth));
      }
      return out;
    }
    if (value instanceof String s && s.indexOf('$') >= 0) {
      return expandString(s, depth);
    }
    return value;
  }

  /**
   * Expands one string. A string that is exactly one reference takes the referenced value's YAML
   * type (a number, a map, ...); references inside longer text are substituted as text. A run of
   * {@code $} collapses pairwise ({@code $$} is a literal {@code $}); an odd run before {@code {}
   * starts a reference.
   */
  Object expandString(String s, int depth) {
    if (depth > MAX_EXPANSION_DEPTH) {
      throw new ConfigException("too many recursive expansions in '" + s + "'");
    }
    // A whole-value reference keeps the retrieved type.
    if (s.startsWith("${") && s.endsWith("}") && matchingBrace(s, 1) == s.length() - 1) {
      return resolveReference(s.substring(2, s.length() - 1), depth, true);
    }
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      int run = 0;
      while (i + run < s.length() && s.charAt(i + run) == '$') {
        run++;
      }
      boolean brace = i + run < s.length() && s.charAt(i + run) == '{';
      out.append("$".repeat(run / 2));
      i += run;
      if (run % 2 == 1) {
        if (brace) {
          int close = matchingBrace(s, i);
          if (close < 0) {
            throw new ConfigException("unterminated reference in '" + s + "'");
          }
          Object v = resolveReference(s.substring(i + 1, close), depth, false);
          out.append(v == null ? "" : scalarText(v, s));
          i = close + 1;
        } else {
          out.append('$');
        }
      }
    }
    return out.toString();
  }

  private static String scalarText(Object v, String in) {
    if (v instanceof Map || v instanceof List) {
      throw new ConfigException("reference inside '" + in + "' resolves to a " + ConfigNode.describe(v)
          + ", which cannot be embedded in a string");
    }
    return v.toString();
  }

  /** Index of the '}' closing the '{' at {@code open}, honouring nested {@code ${...}}; -1 if none. */
  private static int matchingBrace(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private Object resolveReference(String ref, int depth, boolean wholeValue) {
    String inner = ref;
    if (inner.indexOf('$') >= 0) {
      Object e = expandString(inner, depth + 1);
      inner = e == null ? "" : e.toString();
    }
    String scheme = "env";
    String opaque = inner;
    var m = SCHEME.matcher(inner);
    if (m.matches()) {
      scheme = m.group(1);
      opaque = m.group(2);
    }
    Object value;
    if (scheme.equals("env")) {
      String name = opaque;
      String def = null;
      int d = opaque.indexOf(":-");
      if (d >= 0) {
        name = opaque.substring(0, d);
        def = opaque.substring(d + 2);
      }
      checkVarName(name, "${" + ref + "}");
      String text = env.get(name);
      if (text == null) {
        if (def == null) {
          LOG.warning("Configuration references unset environment variable " + name);
          return wholeValue ? null : "";
        }
        text = def;
      } else if (text.isEmpty()) {
        LOG.info("Configuration references empty environment variable " + name);
        return "";
      }
      value = yamlValue(text);
    } else {
      value = retrieve(scheme + ":" + opaque);
    }
    // What a reference retrieves may itself contain references.
    return expand(value, depth + 1);
  }

  /** Parses a retrieved text as YAML (so 4317 is a number); text that is not YAML stays text. */
  private static Object yamlValue(String text) {
    try {
      Object v = new Load(LoadSettings.builder().build()).loadFromString(text);
      return v == null ? text : v;
    } catch (YamlEngineException e) {
      return text;
    }
  }
}
