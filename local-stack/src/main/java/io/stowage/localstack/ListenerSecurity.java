package io.stowage.localstack;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@link BrokerSecurity} shape seen from both ends: the broker's listener settings and the client properties that
 * match them. Secured shapes also secure the controller listener (mutual TLS with the broker's own certificate): with a
 * plaintext one, anyone on the machine could send it admin requests (create topics, ACLs, SCRAM users) unauthenticated.
 */
final class ListenerSecurity {
    static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";

    // A certificate's subject "CN=stowage-service" is the principal User:stowage-service, as the SCRAM user is.
    private static final String PRINCIPAL_MAPPING = "RULE:^CN=([a-zA-Z0-9._-]+)$/$1/,DEFAULT";

    private final BrokerSecurity shape;
    private final BrokerCertificates certificates; // null under PLAINTEXT
    private final ScramUsers users; // null unless SASL_SSL

    private ListenerSecurity(BrokerSecurity shape, BrokerCertificates certificates, ScramUsers users) {
        this.shape = shape;
        this.certificates = certificates;
        this.users = users;
    }

    /** Makes, or finds again, what the shape needs in the work directory: certificates, SCRAM passwords. */
    static ListenerSecurity prepare(BrokerWorkDir dir, BrokerSecurity shape) {
        return switch (shape) {
            case PLAINTEXT -> new ListenerSecurity(shape, null, null);
            case SASL_SSL -> new ListenerSecurity(shape, BrokerCertificates.ensure(dir.tls(), false),
                    ScramUsers.ensure(dir.scramUsers()));
            case MTLS -> new ListenerSecurity(shape, BrokerCertificates.ensure(dir.tls(), true), null);
        };
    }

    BrokerSecurity shape() {
        return shape;
    }

    /** The CA certificate clients trust; absent under PLAINTEXT. */
    Path caPem() {
        if (certificates == null) {
            throw new IllegalStateException("A PLAINTEXT broker has no CA");
        }
        return certificates.caPem();
    }

    /** StorageTool format's extra arguments: the SCRAM users under SASL_SSL. */
    List<String> formatArguments() {
        return users == null ? List.of() : users.formatArguments();
    }

    /** The listener lines of server.properties, in order; under PLAINTEXT exactly those of before secured shapes. */
    Map<String, String> serverProperties(String host, int port, int controllerPort) {
        String client = shape.protocol();
        String controllerProtocol = shape.isSecure() ? "SSL" : "PLAINTEXT";
        Map<String, String> p = new LinkedHashMap<>();
        p.put("listeners", client + "://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        p.put("advertised.listeners", client + "://" + host + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        // One node, yet the broker does connect to itself here: the transaction coordinator sends its commit
        // and abort markers to the partition leaders over the inter-broker listener.
        p.put("inter.broker.listener.name", client);
        p.put("listener.security.protocol.map", client + ":" + client + ",CONTROLLER:" + controllerProtocol);
        if (!shape.isSecure()) {
            return p;
        }
        // One keystore serves every TLS listener, and the broker's own client side (to its controller, to itself).
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", certificates.brokerKeystore().toString());
        p.put("ssl.keystore.password", certificates.password());
        p.put("ssl.truststore.type", "PEM");
        p.put("ssl.truststore.location", certificates.caPem().toString());
        p.put("ssl.principal.mapping.rules", PRINCIPAL_MAPPING);
        // Listener-prefixed: an unprefixed ssl.client.auth would not apply to a SASL_SSL listener anyway (KIP-684).
        p.put("listener.name.controller.ssl.client.auth", "required");
        if (shape == BrokerSecurity.MTLS) {
            p.put("listener.name.ssl.ssl.client.auth", "required");
        } else {
            p.put("sasl.enabled.mechanisms", ScramUsers.MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", ScramUsers.MECHANISM);
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", users.jaasConfig(BrokerUser.ADMIN));
        }
        p.put("authorizer.class.name", AUTHORIZER);
        // The broker's certificate (its controller connections, and its own connections under mTLS) and the admin.
        p.put("super.users", "User:" + BrokerCertificates.BROKER_NAME + ";" + BrokerUser.ADMIN.principal());
        return p;
    }

    /** A client that logs in as {@code user} and trusts the broker's CA. */
    Map<String, String> client(String bootstrapServers, BrokerUser user) {
        Map<String, String> p = withoutCredentials(bootstrapServers);
        p.put("security.protocol", shape.protocol());
        if (shape == BrokerSecurity.SASL_SSL) {
            p.put("sasl.mechanism", ScramUsers.MECHANISM);
            p.put("sasl.jaas.config", users.jaasConfig(user));
        } else if (shape == BrokerSecurity.MTLS) {
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", certificates.clientKeystore(user).toString());
            p.put("ssl.keystore.password", certificates.password());
        }
        return p;
    }

    /**
     * A client that trusts the broker's CA and speaks TLS to it, but presents no identity: no SASL login, no client
     * certificate.
     */
    Map<String, String> withoutCredentials(String bootstrapServers) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("security.protocol", shape.isSecure() ? "SSL" : "PLAINTEXT");
        if (shape.isSecure()) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", certificates.caPem().toString());
        }
        return p;
    }
}
