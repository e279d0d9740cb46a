package dev.wharf.extension.filestorage;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ExtensionFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;

/** The {@code file_storage} extension: persistent sending queues for exporters. */
public final class FileStorageExtensionFactory implements ExtensionFactory<FileStorageConfig> {

  @Override
  public String type() {
    return "file_storage";
  }

  @Override
  public Stability stability() {
    return Stability.BETA;
  }

  @Override
  public FileStorageConfig parseConfig(ConfigNode node) {
    return FileStorageConfig.parse(node);
  }

  @Override
  public Component createExtension(ComponentContext context, FileStorageConfig config) {
    return new FileStorageExtension(context, config);
  }
}
