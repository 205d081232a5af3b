package io.stowage.config;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the applied topology is recovered from the bus and the config folder has been applied. */
@Readiness
@ApplicationScoped
public class ConfigServiceReadiness implements HealthCheck {
    private final ConfigService service;

    ConfigServiceReadiness(ConfigService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("config-applied")
                .status(service.ready())
                .withData("clusters", service.applied().all().size())
                .build();
    }
}
