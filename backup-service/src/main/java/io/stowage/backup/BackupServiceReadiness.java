package io.stowage.backup;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the topology is read and requests are being consumed. */
@Readiness
@ApplicationScoped
public class BackupServiceReadiness implements HealthCheck {
    private final BackupService service;

    BackupServiceReadiness(BackupService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("backup-requests").status(service.ready()).build();
    }
}
