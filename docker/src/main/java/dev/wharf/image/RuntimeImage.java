package dev.wharf.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The jlinked Java runtime and the system libraries it (and the launcher) link against. */
final class RuntimeImage {
    /**
     * Modules Wharf needs that jdeps cannot see from bytecode: loaded by name or service lookup
     * (EC crypto provider, JNDI DNS for gRPC's resolver, container metrics MXBeans), or used by
     * components through the JDK's HTTP server and client.
     */
    static final List<String> ALWAYS = List.of("java.base", "java.logging", "java.management", "java.naming",
            "java.net.http", "jdk.crypto.ec", "jdk.httpserver", "jdk.management", "jdk.naming.dns",
            "jdk.unsupported", "jdk.zipfs");

    /**
     * Modules jdeps reports (or reported) only because libraries carry optional code Wharf never calls:
     * java.sql (Gson's optional SQL type adapters), java.desktop (java.beans, in Micrometer's binders
     * before Wharf dropped Micrometer). Leaving them out saves about 14 MB of runtime.
     */
    static final Set<String> NEVER = Set.of("java.desktop", "java.sql", "java.sql.rowset", "java.xml.crypto");

    private RuntimeImage() {}

    static Set<String> modules(Path jdk, Path jar) throws IOException {
        Set<String> available = new TreeSet<>();
        for (String line : Commands.check(List.of(jdk.resolve("bin/java").toString(), "--list-modules"), 60)
                .split("\n")) {
            if (!line.isBlank()) available.add(line.strip().split("@")[0]);
        }
        String jdeps = Commands.check(List.of(jdk.resolve("bin/jdeps").toString(), "--ignore-missing-deps",
                "--print-module-deps", "--multi-release", Integer.toString(featureOf(jdk)), jar.toString()), 300);
        String[] lines = jdeps.strip().split("\n");
        Set<String> modules = new TreeSet<>();
        for (String module : lines[lines.length - 1].split(",")) {
            module = module.strip();
            if (!module.isEmpty() && !NEVER.contains(module)) modules.add(module);
        }
        for (String module : ALWAYS) {
            if (available.contains(module)) modules.add(module);
        }
        return modules;
    }

    static int featureOf(Path jdk) throws IOException {
        Path release = jdk.resolve("release");
        if (Files.exists(release)) {
            Matcher m = Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(Files.readString(release));
            if (m.find()) return Integer.parseInt(m.group(1));
        }
        return Runtime.version().feature();
    }

    static void jlink(Path jdk, Set<String> modules, Path output, String compress) throws IOException {
        deleteRecursively(output);
        Files.createDirectories(output.getParent());
        List<String> command = new ArrayList<>(List.of(jdk.resolve("bin/jlink").toString(),
                "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-man-pages", "--no-header-files",
                "--compress=" + compress,
                "--generate-cds-archive",
                "--output", output.toString()));
        Commands.check(command, 600);
    }

    /** Strips symbol tables from the runtime's shared objects when {@code strip} is installed (about 5 MB). */
    static void stripNatives(Path runtime) throws IOException {
        if (!onPath("strip")) return;
        List<String> command = new ArrayList<>(List.of("strip", "--strip-unneeded"));
        try (Stream<Path> files = Files.walk(runtime)) {
            files.filter(p -> p.toString().endsWith(".so")).sorted().forEach(p -> command.add(p.toString()));
        }
        Commands.check(command, 120);
    }

    private static final Pattern LDD_LINE = Pattern.compile("^\\s*(?:(\\S+)\\s+=>\\s+)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)");

    /**
     * The system libraries {@code elfFiles} load, as a map from the path the dynamic loader looks
     * them up under (which is where they go in the image) to the real file on this machine.
     * Libraries inside {@code runtime} itself are skipped: they ship with it.
     */
    static Map<String, Path> systemLibraries(List<Path> elfFiles, Path runtime) throws IOException {
        Map<String, Path> libraries = new LinkedHashMap<>();
        Set<String> ownLibraries = new TreeSet<>();
        try (Stream<Path> files = Files.walk(runtime)) {
            files.filter(p -> p.toString().endsWith(".so")).forEach(p -> ownLibraries.add(p.getFileName().toString()));
        }
        for (Path file : elfFiles) {
            Commands.Output output = Commands.run(List.of("ldd", file.toString()), null, 60);
            if (output.exitCode() != 0) continue; // static executables and non-ELF files
            for (String line : output.text().split("\n")) {
                // The JVM has libjvm.so loaded before any library that needs it, so those resolve.
                if (line.contains("not found") && !ownLibraries.contains(line.strip().split("\\s+")[0])) {
                    throw new IOException(file + " needs a library that is not installed: " + line.strip());
                }
                Matcher m = LDD_LINE.matcher(line);
                if (line.contains("not found") || !m.find()) continue;
                Path resolved = Path.of(m.group(2));
                if (resolved.toAbsolutePath().normalize().startsWith(runtime.toAbsolutePath().normalize())) continue;
                libraries.putIfAbsent(m.group(2), resolved.toRealPath());
            }
        }
        return libraries;
    }

    static List<Path> elfFiles(Path runtime) throws IOException {
        List<Path> result = new ArrayList<>();
        try (Stream<Path> files = Files.walk(runtime)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                if (isElf(p)) result.add(p);
            }
        }
        return result;
    }

    static boolean isElf(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
