package dev.wharf.image;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds the Wharf sidecar image without a container engine: a jlinked runtime of the chosen JDK,
 * exactly the system libraries it links against, the static /healthcheck probe, the /wharf launcher,
 * the jar, ADOT's presets that Wharf can run, and an ahead-of-time cache from a training run, all
 * {@code FROM scratch}, written as a tarball that {@code docker load} (and any OCI tool) reads.
 *
 * <p>Run by the docker module's build (package phase); {@code docker/Dockerfile} produces the same
 * layout with a Docker engine. Arguments are {@code --name=value}; see {@link Options}.
 */
public final class ImageBuild {
    static final int UID = 4317;
    static final int GID = 4317;
    static final String USER = "wharf";
    static final String HOME = "/home/wharf";
    static final String JAVA_HOME = "/opt/java";
    static final String JAR = "/wharf.jar";
    static final String AOT_CACHE = "/wharf.aot";
    static final String JVM_OPTIONS = "/etc/wharf/jvm.options";

    /** Build inputs. */
    record Options(Path jdk, Path jar, Path imageSources, Path nativeSources, Path work, Path output,
                   String tag, String version, String aot, Path caBundle, long epochSeconds, String jarMode) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (String arg : args) {
                if (!arg.startsWith("--") || !arg.contains("=")) {
                    throw new IllegalArgumentException("expected --name=value, got " + arg);
                }
                values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
            }
            String epoch = values.getOrDefault("epoch", System.getenv().getOrDefault("SOURCE_DATE_EPOCH", "0"));
            return new Options(
                    chooseJdk(values.get("jdk")),
                    Path.of(required(values, "jar")),
                    Path.of(values.getOrDefault("image-sources", "src/image")),
                    Path.of(values.getOrDefault("native-sources", "src/main/c")),
                    Path.of(values.getOrDefault("work", "target/image")),
                    Path.of(values.getOrDefault("output", "target/wharf-image.tar")),
                    values.getOrDefault("tag", "wharf:latest"),
                    values.getOrDefault("version", "0.0.0"),
                    values.getOrDefault("aot", "auto"),
                    Path.of(values.getOrDefault("ca-bundle", "/etc/ssl/certs/ca-certificates.crt")),
                    Long.parseLong(epoch.isBlank() ? "0" : epoch),
                    values.getOrDefault("jar-mode", "stored"));
        }

        private static String required(Map<String, String> values, String name) {
            String value = values.get(name);
            if (value == null || value.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
            return value;
        }

        /** The requested JDK when it exists, otherwise the JDK running this build. */
        private static Path chooseJdk(String requested) {
            if (requested != null && !requested.isBlank() && Files.isExecutable(Path.of(requested, "bin", "jlink"))) {
                return Path.of(requested);
            }
            Path running = Path.of(System.getProperty("java.home"));
            if (requested != null && !requested.isBlank()) {
                System.err.println("[image] warning: no JDK with jlink at " + requested + "; using " + running);
            }
            return running;
        }
    }

    private final Options options;
    private final PrintStream log;

    ImageBuild(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        new ImageBuild(options, System.out).build();
    }

    void build() throws IOException, InterruptedException {
        long started = System.nanoTime();
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            // The image holds this machine's JDK and glibc: only a Linux build machine can provide them.
            log.println("[image] skipped: the image is built on Linux only (this is " + System.getProperty("os.name")
                    + "); use docker/Dockerfile with a Docker engine");
            return;
        }
        Path work = options.work().toAbsolutePath();
        Path stage = work.resolve("stage");
        Files.createDirectories(stage);
        String arch = System.getProperty("os.arch");
        String imageArch = arch.equals("amd64") || arch.equals("x86_64") ? "amd64" : arch.equals("aarch64") ? "arm64" : arch;
        String nettyArch = imageArch.equals("amd64") ? "x86_64" : "aarch_64";
        int feature = RuntimeImage.featureOf(options.jdk());
        log.printf("[image] JDK %s (feature %d), arch %s%n", options.jdk(), feature, imageArch);

        // 1. Runtime: the JDK modules Wharf uses, jlinked.
        Set<String> modules = RuntimeImage.modules(options.jdk(), options.jar());
        log.println("[image] modules: " + String.join(",", modules));
        Path runtime = stage.resolve("opt/java");
        RuntimeImage.jlink(options.jdk(), modules, runtime, feature >= 21 ? "zip-6" : "2");
        RuntimeImage.stripNatives(runtime);

        // 2. Native programs: the launcher (dynamic, glibc from the image) and the static probe.
        Path nativeDir = work.resolve("native");
        Files.createDirectories(nativeDir);
        Path healthcheck = NativeBuild.compile(options.nativeSources().resolve("healthcheck.c"),
                nativeDir.resolve("healthcheck"), true, List.of());
        Path launcher = NativeBuild.compile(options.nativeSources().resolve("launcher.c"),
                nativeDir.resolve("wharf"), false, List.of());

        // 3. System libraries exactly as the dynamic loader resolves them.
        List<Path> elf = new ArrayList<>(RuntimeImage.elfFiles(runtime));
        elf.add(launcher);
        Map<String, Path> libraries = new LinkedHashMap<>(RuntimeImage.systemLibraries(elf, runtime));
        for (String optional : NativeBuild.DLOPENED_LIBRARIES) {
            Path lib = Path.of(optional);
            if (Files.exists(lib) && !libraries.containsKey(optional)) libraries.put(optional, lib.toRealPath());
        }
        log.println("[image] system libraries: " + libraries.keySet());

        // 4. App files, staged with the image's mtime so the AOT cache's jar check matches the image.
        Path stagedJar = stage.resolve("wharf.jar");
        ImageJar.Result jar = ImageJar.write(options.jar(), stagedJar, nettyArch, options.jarMode().equals("stored"));
        Files.setLastModifiedTime(stagedJar, FileTime.from(Instant.ofEpochSecond(options.epochSeconds())));
        log.printf("[image] wharf.jar: %d entries, %d foreign native libraries removed, %d bytes%n",
                jar.kept(), jar.removed(), jar.bytes());
        List<String> jvmOptions = jvmOptions(feature);
        Path stagedOptions = stage.resolve("etc/wharf/jvm.options");
        Files.createDirectories(stagedOptions.getParent());
        Files.write(stagedOptions, jvmOptions, StandardCharsets.UTF_8);

        // 5. Ahead-of-time cache from a training run (JDK 25+), or the JDK's default CDS archive.
        Path cache = stage.resolve("wharf.aot");
        boolean aot = false;
        if (!options.aot().equals("off") && feature >= 25) {
            AotTraining.Result training = AotTraining.run(runtime.resolve("bin/java"), stagedOptions, stagedJar,
                    options.imageSources().resolve("training-config.yaml").toAbsolutePath(), cache,
                    work.resolve("aot-training.log"));
            aot = training.created();
            if (aot) {
                log.printf("[image] AOT cache: %d bytes%n", training.cacheBytes());
            } else if (options.aot().equals("on")) {
                throw new IOException("AOT training run failed:\n" + training.log());
            } else {
                log.println("[image] warning: no AOT cache (training run failed; image starts without it). Log: "
                        + work.resolve("aot-training.log"));
                tail(training.log());
            }
        }
        List<String> imageOptions = new ArrayList<>(jvmOptions);
        if (aot) {
            imageOptions.add("# Ahead-of-time cache from the build's training run (classes loaded and linked, profiles).");
            imageOptions.add("-XX:AOTCache=" + AOT_CACHE);
        }

        // 6. Layers: runtime (changes with the JDK), app (changes with Wharf), AOT cache (changes with both).
        Layer runtimeLayer = new Layer("runtime");
        addTree(runtimeLayer, runtime, JAVA_HOME, aot ? Set.of("lib/server/classes.jsa", "lib/server/classes_nocoops.jsa")
                : Set.of("lib/server/classes_nocoops.jsa"));
        for (var lib : libraries.entrySet()) {
            runtimeLayer.add(LayerEntry.file(lib.getKey(), 0755, lib.getValue()));
        }
        runtimeLayer.add(LayerEntry.file("/healthcheck", 0755, healthcheck));
        runtimeLayer.add(LayerEntry.file("/wharf", 0755, launcher));
        runtimeLayer.add(LayerEntry.file("/etc/passwd", 0644, bytes(
                "root:x:0:0:root:/root:/sbin/nologin\n" + USER + ":x:" + UID + ":" + GID + ":Wharf:" + HOME + ":/sbin/nologin\n")));
        runtimeLayer.add(LayerEntry.file("/etc/group", 0644, bytes("root:x:0:\n" + USER + ":x:" + GID + ":\n")));
        runtimeLayer.add(LayerEntry.file("/etc/nsswitch.conf", 0644, bytes("hosts: files dns\n")));
        runtimeLayer.add(LayerEntry.file("/etc/hosts", 0644, bytes("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")));
        if (Files.isRegularFile(options.caBundle())) {
            runtimeLayer.add(LayerEntry.file("/etc/ssl/certs/ca-certificates.crt", 0644, options.caBundle().toRealPath()));
        } else {
            log.println("[image] warning: no CA bundle at " + options.caBundle() + " (Java uses its own cacerts)");
        }
        runtimeLayer.add(LayerEntry.directory(HOME, 0755, UID, GID));
        runtimeLayer.add(LayerEntry.directory("/tmp", 01777, 0, 0));

        Layer appLayer = new Layer("app");
        appLayer.add(LayerEntry.file(JAR, 0644, stagedJar));
        appLayer.add(LayerEntry.file(JVM_OPTIONS, 0644, bytes(String.join("\n", imageOptions) + "\n")));
        List<Presets.Preset> presets = Presets.read(options.imageSources());
        for (Presets.Preset preset : presets) {
            if (preset.bundled()) appLayer.add(LayerEntry.file(preset.imagePath(), 0644, preset.source()));
        }
        List<Layer> layers = new ArrayList<>(List.of(runtimeLayer, appLayer));
        if (aot) {
            layers.add(new Layer("aot").add(LayerEntry.file(AOT_CACHE, 0644, cache)));
        }

        ImageConfig config = new ImageConfig(imageArch, UID + ":" + GID, List.of("/wharf"),
                List.of("--config=/etc/otel-config.yaml"),
                List.of("PATH=" + JAVA_HOME + "/bin:/", "HOME=" + HOME, "LANG=C.UTF-8", "RUN_IN_CONTAINER=True"),
                List.of("2000/udp", "4317/tcp", "4318/tcp", "8125/udp", "13133/tcp"),
                Map.of("org.opencontainers.image.title", "Wharf",
                        "org.opencontainers.image.description", "OpenTelemetry Collector in Java, ADOT-compatible ECS sidecar",
                        "org.opencontainers.image.version", options.version(),
                        "org.opencontainers.image.licenses", "Apache-2.0",
                        "dev.wharf.jdk", options.jdk().getFileName().toString(),
                        "dev.wharf.aot-cache", Boolean.toString(aot)),
                "/", Instant.ofEpochSecond(options.epochSeconds()).toString(), List.of(options.tag()));
        ImageArchive.Result result = new ImageArchive(options.epochSeconds())
                .write(layers, config, options.output().toAbsolutePath(), work.resolve("layers"));

        Properties report = new Properties();
        report.setProperty("archive", result.archive().toString());
        report.setProperty("tag", options.tag());
        report.setProperty("jdk", options.jdk().toString());
        report.setProperty("modules", String.join(",", modules));
        report.setProperty("libraries", String.join(",", libraries.keySet()));
        report.setProperty("aot", Boolean.toString(aot));
        report.setProperty("manifest.digest", result.manifestDigest());
        report.setProperty("config.digest", result.configDigest());
        report.setProperty("bytes.uncompressed", Long.toString(result.uncompressedBytes()));
        report.setProperty("bytes.gzip", Long.toString(result.gzipBytes()));
        for (ImageArchive.LayerInfo layer : result.layers()) {
            report.setProperty("layer." + layer.name() + ".bytes", Long.toString(layer.size()));
            report.setProperty("layer." + layer.name() + ".gzip", Long.toString(layer.gzipSize()));
            report.setProperty("layer." + layer.name() + ".digest", layer.diffId());
        }
        report.setProperty("presets.bundled", String.join(",", presets.stream().filter(Presets.Preset::bundled)
                .map(Presets.Preset::imagePath).toList()));
        try (var out = Files.newBufferedWriter(work.resolve("image.properties"))) {
            report.store(out, "Wharf image build report");
        }
        log.printf("[image] %s: %s, layers %s, %.1f MB unpacked, %.1f MB gzip, %d s%n", options.tag(),
                result.archive(), result.layers().stream().map(l -> l.name() + "=" + l.gzipSize() / 1_000_000 + "MB").toList(),
                result.uncompressedBytes() / 1e6, result.gzipBytes() / 1e6, (System.nanoTime() - started) / 1_000_000_000L);
    }

    /** The image's JVM options: the source file, minus flags this JDK does not have. */
    List<String> jvmOptions(int feature) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(options.imageSources().resolve("jvm.options"), StandardCharsets.UTF_8)) {
            if (feature < 25 && line.contains("UseCompactObjectHeaders")) continue;
            if (feature < 22 && (line.startsWith("--enable-native-access") || line.contains("TrimNativeHeapInterval"))) {
                continue;
            }
            lines.add(line);
        }
        return lines;
    }

    private void tail(String text) {
        String[] lines = text.split("\n");
        for (int i = Math.max(0, lines.length - 20); i < lines.length; i++) log.println("[image]   " + lines[i]);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Adds a directory tree at {@code imagePath}, keeping each file's executable bit. */
    static void addTree(Layer layer, Path dir, String imagePath, Set<String> excluded) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted().toList()) {
                String relative = dir.relativize(p).toString();
                if (relative.isEmpty() || excluded.contains(relative)) continue;
                String target = imagePath + "/" + relative;
                if (Files.isSymbolicLink(p)) {
                    layer.add(LayerEntry.symlink(target, Files.readSymbolicLink(p).toString()));
                } else if (Files.isDirectory(p)) {
                    layer.add(LayerEntry.directory(target, 0755, 0, 0));
                } else {
                    layer.add(LayerEntry.file(target, Files.isExecutable(p) ? 0755 : 0644, p));
                }
            }
        }
    }
}
