package dev.wharf.image;

import java.util.List;
import java.util.Map;

/**
 * The runtime part of an image config (what {@code docker inspect} shows under "Config").
 *
 * @param created RFC 3339 time written into the config; fixed for reproducible images
 */
public record ImageConfig(String architecture, String user, List<String> entrypoint, List<String> cmd,
                          List<String> env, List<String> exposedPorts, Map<String, String> labels,
                          String workingDir, String created, List<String> repoTags) {
    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        exposedPorts = List.copyOf(exposedPorts);
        labels = Map.copyOf(labels);
        repoTags = List.copyOf(repoTags);
    }
}
