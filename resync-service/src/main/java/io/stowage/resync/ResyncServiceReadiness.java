package io.stowage.resync;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the catalog and the topology are read and events are being consumed. */
@Readiness
@ApplicationScoped
public class ResyncServiceReadiness implements HealthCheck {
    private final ResyncService service;

    ResyncServiceReadiness(ResyncService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("catalog").status(service.ready()).build();
    }
}
