package io.stowage.bus.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/**
 * Readiness of a service: DOWN until every condition its startup registered holds, e.g. its state topics read to
 * the end they had at start, so it never acts on a state older than the bus's.
 */
@Readiness
@Default
@ApplicationScoped
public class StartupReadiness implements HealthCheck {
    private final Map<String, BooleanSupplier> conditions = new ConcurrentSkipListMap<>();
    private volatile boolean registered;

    /** A condition the service must meet to be ready; register them all, then call {@link #allRegistered()}. */
    public void require(String name, BooleanSupplier condition) {
        conditions.put(name, condition);
    }

    /** Until this is called, the service is not ready whatever the conditions say (some may not be known yet). */
    public void allRegistered() {
        registered = true;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("stowage-startup").status(registered);
        conditions.forEach((name, condition) -> {
            boolean met = condition.getAsBoolean();
            response.withData(name, met);
            if (!met) {
                response.down();
            }
        });
        return response.build();
    }
}
