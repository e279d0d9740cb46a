package dev.wharf.component;

import java.util.Optional;

/** What a started component may ask of the running service. */
public interface Host {

  /** The started extension with this id, if the service lists it under service.extensions. */
  Optional<Component> extension(ComponentId id);

  /** Whether every pipeline is running and the service is not stopping (health_check uses it). */
  ServiceStatus status();

  /** Readiness of the service as a whole. */
  interface ServiceStatus {
    boolean ready();

    /** When the service last became ready; null when it is not ready. */
    java.time.Instant readySince();
  }
}
