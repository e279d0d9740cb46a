package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /wharf launcher (src/main/c/launcher.c), built with a fake "java" that prints its arguments. */
class LauncherProgramTest {
    @TempDir Path dir;

    private Path build(boolean withOptionsFile) throws Exception {
        assumeTrue(RuntimeImage.onPath("gcc"), "gcc not installed");
        Path java = dir.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path options = dir.resolve("jvm.options");
        if (withOptionsFile) Files.writeString(options, "-XX:+UseSerialGC\n");
        return NativeBuild.compile(Path.of("src/main/c/launcher.c"), dir.resolve("wharf"), false, List.of(
                "-DWHARF_JAVA=\"" + java + "\"", "-DWHARF_JVM_OPTIONS=\"" + options + "\"", "-DWHARF_JAR=\"/wharf.jar\""));
    }

    private String run(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove("WHARF_JAVA_OPTS");
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void defaultsThenOperatorOptionsThenJarThenCommand() throws Exception {
        Path launcher = build(true);
        String out = run(launcher, Map.of("WHARF_JAVA_OPTS", "  -XX:MaxRAMPercentage=70\t-Dwharf.x=y  "),
                "--config=/etc/ecs/ecs-default-config.yaml", "--set", "a.b=c d");
        assertThat(out).isEqualTo("[@" + dir.resolve("jvm.options") + "]\n[-XX:MaxRAMPercentage=70]\n[-Dwharf.x=y]\n"
                + "[-jar]\n[/wharf.jar]\n[--config=/etc/ecs/ecs-default-config.yaml]\n[--set]\n[a.b=c d]\n");
    }

    @Test
    void withoutOperatorOptionsOrOptionsFile() throws Exception {
        Path launcher = build(false);
        assertThat(run(launcher, Map.of(), "validate")).isEqualTo("[-jar]\n[/wharf.jar]\n[validate]\n");
        assertThat(run(launcher, Map.of("WHARF_JAVA_OPTS", "   "))).isEqualTo("[-jar]\n[/wharf.jar]\n");
    }

    @Test
    void aMissingJavaIsExit127WithTheReason() throws Exception {
        Path launcher = build(true);
        Files.delete(dir.resolve("java"));
        Process process = new ProcessBuilder(launcher.toString()).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(127);
        assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("wharf: cannot run").contains("No such file");
    }
}
