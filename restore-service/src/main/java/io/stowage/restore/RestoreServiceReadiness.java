package io.stowage.restore;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the topology, catalog and restore history are read and events are being consumed. */
@Readiness
@ApplicationScoped
public class RestoreServiceReadiness implements HealthCheck {
    private final RestoreService service;

    RestoreServiceReadiness(RestoreService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("restores").status(service.ready()).build();
    }
}
