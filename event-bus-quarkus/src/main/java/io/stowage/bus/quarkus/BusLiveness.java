package io.stowage.bus.quarkus;

import io.stowage.bus.StateFollower;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * Liveness of a service's own Kafka loops: DOWN once a state follower or a membership loop has stopped for good, as
 * its state no longer moves and only a restart brings it back. (The SmallRye channels report their own.)
 */
@Liveness
@Default
@ApplicationScoped
public class BusLiveness implements HealthCheck {
    /** Per loop: empty while it runs, else why it stopped. */
    private final Map<String, Supplier<Optional<String>>> loops = new ConcurrentSkipListMap<>();

    /** Watches a follower of a state topic. */
    public void watch(StateFollower follower) {
        loops.put("follower " + follower.topic(), follower::failure);
    }

    /** Watches any loop that says whether it still runs. */
    public void watch(String name, java.util.function.BooleanSupplier alive) {
        loops.put(name, () -> alive.getAsBoolean() ? Optional.empty() : Optional.of("stopped"));
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("stowage-kafka-loops").up();
        loops.forEach((name, failure) -> {
            Optional<String> why = failure.get();
            response.withData(name, why.map(w -> "DOWN: " + w).orElse("UP"));
            if (why.isPresent()) {
                response.down();
            }
        });
        return response.build();
    }
}
