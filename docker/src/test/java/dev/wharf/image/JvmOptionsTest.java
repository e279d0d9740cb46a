package dev.wharf.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image's default JVM options are accepted by the JDK the image is built from. */
class JvmOptionsTest {
    private static Path imageJdk() {
        Path temurin = Path.of(System.getProperty("wharf.image.jdk", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        return Files.isExecutable(temurin.resolve("bin/java")) ? temurin : Path.of(System.getProperty("java.home"));
    }

    @Test
    void theJdkAcceptsEveryDefaultOption() throws Exception {
        Path jdk = imageJdk();
        ImageBuild build = new ImageBuild(ImageBuild.Options.parse(new String[] {"--jar=x.jar", "--jdk=" + jdk}), System.out);
        List<String> options = build.jvmOptions(RuntimeImage.featureOf(jdk));
        Path file = Files.createTempFile("jvm", ".options");
        try {
            Files.write(file, options);
            Commands.Output output = Commands.run(List.of(jdk.resolve("bin/java").toString(), "@" + file,
                    "-XX:+PrintFlagsFinal", "-version"), null, 60);
            assertThat(output.exitCode()).as(output.text()).isZero();
            assertThat(output.text()).containsPattern("UseSerialGC\\s+= true")
                    .containsPattern("MaxDirectMemorySize\\s+= 33554432")
                    .containsPattern("ExitOnOutOfMemoryError\\s+= true");
            if (RuntimeImage.featureOf(jdk) >= 22) {
                assertThat(output.text()).containsPattern("TrimNativeHeapInterval\\s+= 2000");
            }
            if (RuntimeImage.featureOf(jdk) >= 25) {
                assertThat(output.text()).containsPattern("UseCompactObjectHeaders\\s+= true");
            }
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void compactHeadersAreDroppedForOlderJdks() throws Exception {
        ImageBuild build = new ImageBuild(ImageBuild.Options.parse(new String[] {"--jar=x.jar"}), System.out);
        assertThat(build.jvmOptions(17)).noneMatch(line -> line.contains("UseCompactObjectHeaders")
                || line.contains("TrimNativeHeapInterval") || line.contains("enable-native-access"));
        assertThat(build.jvmOptions(25)).anyMatch(line -> line.equals("-XX:+UseCompactObjectHeaders"));
    }
}
