package dev.wharf.exporter.awsxray;

import java.nio.file.Files;
import java.nio.file.Path;

/** The team's shared folder (spec/, fixtures/): beside the repository, found by walking up. */
final class SharedFolder {
  private SharedFolder() {}

  static Path find() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path candidate = p.resolve("shared");
      if (Files.isDirectory(candidate.resolve("spec"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/spec folder above " + dir);
  }
}
