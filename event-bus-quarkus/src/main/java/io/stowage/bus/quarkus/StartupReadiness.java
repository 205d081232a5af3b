package io.stowage.bus.quarkus;

import io.quarkus.runtime.Quarkus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

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
    private static final Logger LOG = Logger.getLogger(StartupReadiness.class);
    private final Map<String, BooleanSupplier> conditions = new ConcurrentSkipListMap<>();
    private volatile boolean registered;

    /** Start-up work that may block (reading the state topics while the broker is away) and may fail. */
    @FunctionalInterface
    public interface StartupWork {
        void run() throws Exception;
    }

    /**
     * Runs a service's start-up work on a thread of its own and returns at once. Quarkus opens the HTTP port only
     * once every StartupEvent observer has returned: work that blocked there would leave the health checks
     * unanswered (connection refused, not DOWN) for as long as it takes. A failure stops the application, as a failed
     * start would.
     */
    public void runInBackground(String what, StartupWork work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (Exception | Error e) {
                LOG.errorf(e, "%s failed: stopping", what);
                Quarkus.asyncExit(1);
            }
        }, "start-up");
        thread.setDaemon(true);
        thread.start();
    }

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
