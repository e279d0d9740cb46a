package dev.wharf.extension.healthcheck;

import dev.wharf.component.Component;
import dev.wharf.component.ComponentContext;
import dev.wharf.component.ExtensionFactory;
import dev.wharf.component.Stability;
import dev.wharf.config.ConfigNode;

/** The {@code health_check} extension. */
public final class HealthCheckFactory implements ExtensionFactory<HealthCheckConfig> {
  @Override
  public String type() {
    return "health_check";
  }

  @Override
  public Stability stability() {
    return Stability.BETA;
  }

  @Override
  public HealthCheckConfig parseConfig(ConfigNode node) {
    return HealthCheckConfig.parse(node);
  }

  @Override
  public Component createExtension(ComponentContext context, HealthCheckConfig config) {
    return new HealthCheckExtension(config, context.logger());
  }
}
