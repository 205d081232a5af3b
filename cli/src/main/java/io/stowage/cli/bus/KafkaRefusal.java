package io.stowage.cli.bus;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

import java.util.Optional;

/**
 * A Kafka client's failure said so that a person can act on it: credentials or certificates refused
 * (authentication), rights missing (authorization), a client configuration the client cannot use, or a broker that
 * takes connections but does not answer, which is also what a {@code security.protocol} that does not match its
 * listener looks like. Kafka's own messages name the SASL mechanism or the TLS failure; this adds where to look.
 */
public final class KafkaRefusal {
    static final String CLIENT_PROPERTIES = "the Kafka client properties (--kafka-config, or the file "
            + "$STOWAGE_KAFKA_CONFIG names)";
    private static final int MAX_CAUSES = 20;

    private KafkaRefusal() {
    }

    /** What went wrong, when {@code failure} or one of its causes is one of those; empty for anything else. */
    public static Optional<String> explain(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                // Either side may have refused: the broker our certificate, or our trust store the broker's.
                return Optional.of("the TLS handshake with Kafka failed: " + reason(t) + ". Check the trust store (it"
                        + " must hold the CA that signed the broker's certificate), the key store and the other ssl.*"
                        + " settings in " + CLIENT_PROPERTIES + ".");
            }
            if (t instanceof AuthenticationException) {
                return Optional.of("Kafka refused the connection: " + reason(t) + ". Check the credentials"
                        + " (sasl.mechanism, sasl.jaas.config) in " + CLIENT_PROPERTIES + ".");
            }
            if (t instanceof AuthorizationException) {
                return Optional.of("Kafka refused access: " + reason(t) + ". The principal of " + CLIENT_PROPERTIES
                        + " needs ACLs that let it read and write Stowage's topics.");
            }
            if (t instanceof ConfigException) {
                return Optional.of("the Kafka client configuration is not valid: " + reason(t));
            }
            if (t instanceof KafkaException && t.getMessage() != null
                    && t.getMessage().startsWith("Failed to construct kafka")) {
                // Stores that do not open, a sasl.jaas.config that does not parse: the cause says which.
                Throwable root = root(t);
                return Optional.of("the Kafka client could not be set up from its configuration: "
                        + (root == t ? t.getMessage() : root.getClass().getSimpleName() + ": " + root.getMessage()));
            }
            if (t instanceof TimeoutException) {
                return Optional.of("Kafka did not answer in time (" + t.getMessage() + "). It takes connections: if"
                        + " this persists, check that security.protocol in " + CLIENT_PROPERTIES
                        + " matches the broker's listener.");
            }
        }
        return Optional.empty();
    }

    /** The exception's message, and its root cause's when that adds something (a TLS handshake's real reason). */
    private static String reason(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        String rootMessage = root(t).getMessage();
        return rootMessage == null || message.contains(rootMessage) ? message : message + " (" + rootMessage + ")";
    }

    private static Throwable root(Throwable t) {
        Throwable root = t;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_CAUSES; depth++) {
            root = root.getCause();
        }
        return root;
    }
}
