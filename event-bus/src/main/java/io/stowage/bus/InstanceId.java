package io.stowage.bus;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/**
 * The name of one running instance of a service, unique among its replicas: part of its transactional ids and its
 * static group membership ({@code group.instance.id}), so replicas never fence each other and a restarted instance
 * gets its partitions back at once.
 */
public record InstanceId(String value) {

    public InstanceId {
        if (value == null || value.isBlank() || !value.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("an instance id is letters, digits, '.', '_' and '-', not '" + value
                    + "'");
        }
    }

    /** The configured id, else {@code HOSTNAME} (a pod's name in Kubernetes), else the host's name. */
    public static InstanceId resolve(Optional<String> configured, Map<String, String> env) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return new InstanceId(configured.get().trim());
        }
        String host = env.get("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return new InstanceId(host.replaceAll("[^A-Za-z0-9._-]", "-"));
    }

    /** A name for one of this instance's Kafka clients: the service's name, this instance, and the client's role. */
    public String clientId(String service, String role) {
        return role == null || role.isEmpty() ? service + "-" + value : service + "-" + role + "-" + value;
    }

    @Override
    public String toString() {
        return value;
    }
}
