package io.stowage.bus.quarkus;

import io.stowage.bus.InstanceId;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/** This instance's identity: {@code stowage.instance-id}, else the host name (in Kubernetes, the pod's name). */
@Singleton
public class InstanceIdProducer {

    @Produces
    @Singleton
    InstanceId instanceId(@ConfigProperty(name = "stowage.instance-id") Optional<String> configured) {
        return InstanceId.resolve(configured, System.getenv());
    }
}
