package dev.wharf.cli;

import dev.wharf.component.BuildInfo;
import dev.wharf.component.ComponentFactory;
import dev.wharf.component.ComponentKind;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigResolver;
import dev.wharf.embed.Wharf;
import dev.wharf.pipeline.Signal;
import dev.wharf.service.Components;
import dev.wharf.service.ServiceConfig;
import dev.wharf.telemetry.LogSetup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code wharf} command line, ADOT-compatible:
 * <pre>
 * wharf [--config LOCATION]... [--set key.path=value]... [--feature-gates LIST]
 * wharf validate [--config LOCATION]... [--set ...]
 * wharf components
 * wharf healthcheck [--port N]
 * wharf --version
 * </pre>
 * If {@code AOT_CONFIG_CONTENT} is set it replaces every --config and --set (ADOT semantics). With
 * no config at all the built-in local default runs (OTLP on localhost → batch → debug).
 */
public final class Main {
  private static final Logger LOG = Logger.getLogger("wharf.cli");
  static final String LOCAL_DEFAULT = "dev/wharf/cli/local-default.yaml";

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err, true);
    if (code != RUNNING_EXITED) {
      System.exit(code);
    }
  }

  /** Marks that the run command already stopped the JVM itself. */
  static final int RUNNING_EXITED = -1;

  /** Parsed command line. */
  record Args(String command, List<String> configs, List<String> sets, List<String> gates, Integer port) {}

  static Args parse(String[] argv) {
    String command = "run";
    List<String> configs = new ArrayList<>();
    List<String> sets = new ArrayList<>();
    List<String> gates = new ArrayList<>();
    Integer port = null;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      String value = null;
      String flag = a;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        flag = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      switch (flag) {
        case "--config":
        case "--set":
        case "--feature-gates":
        case "--port": {
          if (value == null) {
            if (i + 1 >= argv.length) {
              throw new IllegalArgumentException(flag + " needs a value");
            }
            value = argv[++i];
          }
          if (flag.equals("--config")) {
            configs.add(value);
          } else if (flag.equals("--set")) {
            sets.add(value);
          } else if (flag.equals("--feature-gates")) {
            gates.add(value);
          } else {
            try {
              port = Integer.parseInt(value);
            } catch (NumberFormatException e) {
              port = -1;
            }
          }
          break;
        }
        case "--version":
        case "-v":
        case "version":
          command = "version";
          break;
        case "--help":
        case "-h":
        case "help":
          command = "help";
          break;
        case "validate":
        case "components":
        case "healthcheck":
          command = a;
          break;
        default:
          throw new IllegalArgumentException("unknown argument '" + a + "' (see wharf --help)");
      }
    }
    return new Args(command, configs, sets, gates, port);
  }

  /** Runs a command; returns the exit code (for tests and embedding of the CLI). */
  static int run(String[] argv, Map<String, String> env, PrintStream out, PrintStream err, boolean exitOnSignal) {
    Args args;
    try {
      args = parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("wharf: " + e.getMessage());
      return 2;
    }
    switch (args.command()) {
      case "version":
        out.println(BuildInfo.current().command() + " version " + BuildInfo.current().version());
        return 0;
      case "help":
        out.println(usage());
        return 0;
      case "components":
        out.print(components(Components.load()));
        return 0;
      case "healthcheck":
        return healthcheck(args.port(), out, err);
      case "validate":
        return validate(args, env, out, err);
      default:
        return runCollector(args, env, err, exitOnSignal);
    }
  }

  static String usage() {
    return String.join("\n",
        "Usage:",
        "  wharf [--config LOCATION]... [--set key.path=value]... [--feature-gates LIST]",
        "  wharf validate [--config LOCATION]... [--set key.path=value]...",
        "  wharf components",
        "  wharf healthcheck [--port N]",
        "  wharf --version",
        "",
        "LOCATION is a file path, file:PATH, env:VAR, yaml:INLINE, http://URL or https://URL.",
        "AOT_CONFIG_CONTENT, when set, replaces every --config and --set.",
        "With no configuration, Wharf runs its local default: OTLP on localhost:4317/4318 -> batch -> debug.");
  }

  /** The config locations to use, after AOT_CONFIG_CONTENT and the local default. */
  static List<String> locations(Args args, Map<String, String> env) {
    if (env.containsKey("AOT_CONFIG_CONTENT")) {
      if (!args.configs().isEmpty() || !args.sets().isEmpty()) {
        LOG.info("AOT_CONFIG_CONTENT is set: ignoring --config and --set");
      }
      return List.of("env:AOT_CONFIG_CONTENT");
    }
    List<String> locations = new ArrayList<>(args.configs());
    if (locations.isEmpty()) {
      locations.add("yaml:" + localDefault());
    }
    for (String s : args.sets()) {
      locations.add(ConfigResolver.setToLocation(s));
    }
    return locations;
  }

  static String localDefault() {
    try (InputStream in = Main.class.getClassLoader().getResourceAsStream(LOCAL_DEFAULT)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("built-in default config is missing from this build", e);
    }
  }

  /** Feature gates components understand; others are accepted with a warning (upstream refuses them). */
  static final java.util.Set<String> KNOWN_GATES = java.util.Set.of(
      "exporter.awsxray.skiptimestampvalidation", "exporter.xray.allowDot");

  /**
   * Components read feature gates from {@code WHARF_FEATURE_GATES} in their environment; the
   * command line's {@code --feature-gates} are appended to it (later entries win).
   */
  static Map<String, String> withGates(Map<String, String> env, List<String> gates) {
    if (gates.isEmpty()) {
      return env;
    }
    java.util.Map<String, String> out = new java.util.HashMap<>(env);
    List<String> all = new ArrayList<>();
    String existing = env.get("WHARF_FEATURE_GATES");
    if (existing != null && !existing.isBlank()) {
      all.add(existing);
    }
    for (String list : gates) {
      for (String g : list.split(",")) {
        String id = g.trim().replaceFirst("^[+-]", "");
        if (!id.isEmpty() && !KNOWN_GATES.contains(id)) {
          LOG.warning("--feature-gates: unknown feature gate '" + id + "' ignored (known: " + KNOWN_GATES + ")");
        }
      }
      all.add(list);
    }
    out.put("WHARF_FEATURE_GATES", String.join(",", all));
    return out;
  }

  private static int validate(Args args, Map<String, String> env, PrintStream out, PrintStream err) {
    env = withGates(env, args.gates());
    try {
      ServiceConfig c = Wharf.builder().locations(locations(args, env)).env(env).embedded(false).validate();
      out.println("configuration is valid: " + c.pipelines().size() + " pipelines");
      return 0;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 1;
    }
  }

  private static int runCollector(Args args, Map<String, String> env, PrintStream err, boolean exitOnSignal) {
    // What is logged before the configuration is read (its source, feature gates) already goes
    // through Wharf's format; the configuration's own settings replace these below.
    LogSetup.configure(env.getOrDefault("WHARF_LOG_LEVEL", "info").toLowerCase(java.util.Locale.ROOT),
        env.getOrDefault("WHARF_LOG_FORMAT", "console"));
    env = withGates(env, args.gates());
    Wharf.Builder builder;
    ServiceConfig config;
    try {
      builder = Wharf.builder().locations(locations(args, env)).env(env).embedded(false);
      config = builder.validate();
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 1;
    }
    LogSetup.configure(config.telemetry().logLevel(), config.telemetry().logEncoding());
    LOG.info("Starting " + BuildInfo.current().command() + " " + BuildInfo.current().version()
        + " (Java " + System.getProperty("java.runtime.version") + ")");
    dev.wharf.service.Service service = new dev.wharf.service.Service(config, env);
    SignalHandling.install(service, exitOnSignal);
    try {
      service.start();
    } catch (Exception e) {
      LOG.log(Level.SEVERE, "Wharf could not start: " + e.getMessage());
      return 1;
    }
    service.awaitStopped();
    return 0;
  }

  static String components(Components registry) {
    StringBuilder sb = new StringBuilder();
    for (ComponentKind kind : ComponentKind.values()) {
      sb.append(kind.section()).append(":\n");
      for (ComponentFactory<?> f : registry.all(kind)) {
        sb.append("  - name: ").append(f.type()).append('\n');
        if (kind == ComponentKind.EXTENSION) {
          sb.append("    stability: ").append(f.stability().label()).append('\n');
        } else {
          sb.append("    stability:\n");
          for (Signal<?> s : Signal.all()) {
            Stability st = f.signals().get(s);
            if (st != null) {
              sb.append("      ").append(s.id()).append(": ").append(st.label()).append('\n');
            }
          }
        }
      }
    }
    return sb.toString();
  }

  /**
   * The probe ECS runs every interval: GET http://127.0.0.1:PORT/ and exit 0 on 200, 1 otherwise,
   * printing what ADOT's /healthcheck prints.
   */
  static int healthcheck(Integer port, PrintStream out, PrintStream err) {
    int p = port == null ? 13133 : port;
    if (p < 1 || p > 65535) {
      err.println("invalid port: must be an integer within 1..65535");
      return 1;
    }
    try {
      HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + p + "/").openConnection();
      c.setConnectTimeout(5000);
      c.setReadTimeout(5000);
      int status = c.getResponseCode();
      c.disconnect();
      if (status == 200) {
        out.println("STATUS: 200");
        return 0;
      }
      err.println("STATUS: " + status);
      return 1;
    } catch (IOException e) {
      err.println("unable to retrieve health status: " + e);
      return 1;
    }
  }
}
