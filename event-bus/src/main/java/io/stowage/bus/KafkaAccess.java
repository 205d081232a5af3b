package io.stowage.bus;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedSaslMechanismException;

/**
 * Whether a Kafka client with given properties can use the broker, and if not why, in words a user can act on
 * ("authentication failed for user X", "the broker's certificate is not trusted by the CA in FILE"). Kafka's own
 * exceptions say "SSL handshake failed" at best; a client that speaks the wrong protocol to a listener only times out,
 * and then this asks the broker what it expects. Never puts a password in a message.
 */
public final class KafkaAccess {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
    private static final Pattern JAAS_USER = Pattern.compile("username=\"([^\"]*)\"");
    private static final Pattern ENABLED_MECHANISMS = Pattern.compile("enabled mechanisms are (\\[[^]]*])");

    /** A client could not use the broker; the message says why. */
    public static final class Failure extends RuntimeException {
        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private KafkaAccess() {
    }

    /**
     * Asks the broker for its cluster id with these client properties, waiting at most {@code timeout} (it becomes
     * the client's {@code default.api.timeout.ms}): a quick check before real work, which fails with the reason.
     *
     * @throws Failure saying why the client cannot use the broker
     */
    public static String clusterId(Map<String, ?> clientProperties, Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(config)) {
            return admin.describeCluster().clusterId().get();
        } catch (ExecutionException e) {
            throw new Failure(explain(e, clientProperties), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("Interrupted while connecting to Kafka at " + bootstrap(clientProperties), e);
        }
    }

    /**
     * Why a client with these properties failed as it did, starting with the broker's address. When the client
     * only timed out, it probes the broker (a TCP connect, a TLS handshake, a SASL handshake: at most a few seconds).
     */
    public static String explain(Throwable failure, Map<String, ?> clientProperties) {
        return "Cannot use Kafka at " + bootstrap(clientProperties) + ": " + reason(failure, new Client(clientProperties));
    }

    private static String reason(Throwable failure, Client client) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            root = t;
            if (t instanceof SaslAuthenticationException) {
                return t.getMessage() != null && t.getMessage().contains("invalid credentials")
                        ? "authentication failed for user " + client.user() + " (" + client.mechanism()
                                + "): the broker does not know that user with that password"
                        : "SASL authentication as user " + client.user() + " failed: " + t.getMessage();
            }
            if (t instanceof UnsupportedSaslMechanismException) {
                return "the broker does not offer SASL mechanism " + client.mechanism() + " (" + t.getMessage() + ")";
            }
            if (t instanceof IllegalSaslStateException) {
                return "the broker's listener expects no SASL login, yet security.protocol is " + client.protocol()
                        + ": use " + (client.protocol().contains("SSL") ? "SSL" : "PLAINTEXT");
            }
            if (t instanceof SslAuthenticationException) {
                return tlsReason(t, client);
            }
            if (t instanceof AuthorizationException) {
                String what = t instanceof TopicAuthorizationException topics && !topics.unauthorizedTopics().isEmpty()
                        ? " on topics " + topics.unauthorizedTopics() : "";
                return client.identity() + " is not allowed to do that" + what + " (" + t.getClass().getSimpleName()
                        + "): an ACL is missing, or it takes an admin";
            }
            if (t instanceof org.apache.kafka.common.errors.TimeoutException
                    || t instanceof java.util.concurrent.TimeoutException) {
                return probe(client).orElse("no answer within the timeout (" + t.getMessage() + "): the broker accepts"
                        + " connections but does not answer this client; check that security.protocol ("
                        + client.protocol() + ") and the credentials match its listener");
            }
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String tlsReason(Throwable failure, Client client) {
        String chain = messages(failure);
        if (chain.contains("unable to find valid certification path") || chain.contains("PKIX path")) {
            return "the broker's certificate is not trusted by " + client.trustedCas() + " (" + rootMessage(failure) + ")";
        }
        if (chain.contains("No subject alternative") || chain.contains("No name matching")) {
            return "the broker's certificate does not name the address the client connected to (" + rootMessage(failure)
                    + "): connect by a name or IP address in its certificate";
        }
        if (chain.contains("bad_certificate") || chain.contains("certificate_required")
                || chain.contains("certificate_unknown")) {
            return client.keystore()
                    .map(keystore -> "the broker refused the client certificate in " + keystore
                            + ": it is not signed by a CA the broker trusts, or has expired")
                    .orElse("the broker requires a client certificate (mutual TLS) and the client has none:"
                            + " set ssl.keystore.location");
        }
        if (chain.contains("Unsupported or unrecognized SSL message")) {
            return notTls(client);
        }
        return "the TLS handshake failed: " + rootMessage(failure);
    }

    private static String notTls(Client client) {
        return "the broker does not speak TLS on this port, yet security.protocol is " + client.protocol()
                + ": use PLAINTEXT or SASL_PLAINTEXT";
    }

    // The client timed out: was nobody there, or did it speak the wrong protocol to the listener?
    private static Optional<String> probe(Client client) {
        List<InetSocketAddress> addresses = client.addresses();
        Optional<InetSocketAddress> listening = addresses.stream().filter(KafkaAccess::accepts).findFirst();
        if (listening.isEmpty()) {
            return Optional.of("nothing accepts connections at " + client.bootstrap()
                    + ": is the broker running, and is bootstrap.servers right?");
        }
        boolean tls = speaksTls(listening.get());
        if (tls && !client.protocol().contains("SSL")) {
            return Optional.of("the broker speaks TLS on this port, yet security.protocol is " + client.protocol()
                    + ": use SSL or SASL_SSL, with the broker's CA as ssl.truststore");
        }
        if (!tls && client.protocol().contains("SSL")) {
            return Optional.of(notTls(client));
        }
        if (client.protocol().equals("SSL")) {
            return saslMechanisms(client).map(mechanisms -> "the broker requires a SASL login (it offers " + mechanisms
                    + ") and the client has none: set security.protocol=SASL_SSL, sasl.mechanism and sasl.jaas.config");
        }
        return Optional.empty();
    }

    private static boolean accepts(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) PROBE_TIMEOUT.toMillis());
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether a TLS server answers there. It trusts any certificate, as it only looks, sends nothing but a TLS
     * handshake, and is closed right after: a plaintext Kafka listener reads the handshake as an oversized request
     * and hangs up without an alert, a TLS one answers (or sends an alert).
     */
    private static boolean speaksTls(InetSocketAddress address) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new LookOnly()}, new SecureRandom());
            try (Socket plain = new Socket()) {
                plain.connect(address, (int) PROBE_TIMEOUT.toMillis());
                plain.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
                try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
                        .createSocket(plain, address.getHostString(), address.getPort(), false)) {
                    tls.startHandshake();
                    return true;
                }
            }
        } catch (SSLException e) {
            return messages(e).contains("Received fatal alert");
        } catch (IOException | java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The broker's SASL mechanisms, from its answer to a login with one it will not offer. */
    private static Optional<String> saslMechanisms(Client client) {
        Map<String, Object> config = new HashMap<>(client.properties());
        // Named, so that the error Kafka's client logs for it ("mechanism 'PLAIN' not enabled") is seen as the probe's.
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, "stowage-access-probe");
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        // The broker refuses the mechanism before any credential is sent; these are none.
        config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        config.put(SaslConfigs.SASL_JAAS_CONFIG,
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"probe\" password=\"probe\";");
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) PROBE_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnsupportedSaslMechanismException unsupported) {
                Matcher offered = ENABLED_MECHANISMS.matcher(String.valueOf(unsupported.getMessage()));
                return Optional.of(offered.find() ? offered.group(1) : "other mechanisms");
            }
            return e.getCause() instanceof SaslAuthenticationException ? Optional.of("PLAIN") : Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // e.g. a truststore the client itself could not load
        }
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static String bootstrap(Map<String, ?> clientProperties) {
        return String.valueOf(clientProperties.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** What the client properties say about who the client is and whom it trusts; never the secrets themselves. */
    private record Client(Map<String, ?> properties) {
        String bootstrap() {
            return KafkaAccess.bootstrap(properties);
        }

        String protocol() {
            return text(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG).orElse("PLAINTEXT").toUpperCase(Locale.ROOT);
        }

        String mechanism() {
            return text(SaslConfigs.SASL_MECHANISM).orElse(SaslConfigs.DEFAULT_SASL_MECHANISM);
        }

        String user() {
            Matcher user = JAAS_USER.matcher(text(SaslConfigs.SASL_JAAS_CONFIG).orElse(""));
            return user.find() ? user.group(1) : "(none in sasl.jaas.config)";
        }

        Optional<String> keystore() {
            return text(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
        }

        /** Who the broker sees: the SASL user, the client certificate, or nobody in particular. */
        String identity() {
            if (protocol().startsWith("SASL")) {
                return "user " + user();
            }
            return keystore().map(keystore -> "the client certificate in " + Path.of(keystore).getFileName())
                    .orElse("an anonymous client");
        }

        String trustedCas() {
            return text(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG).map(file -> "the CA in " + file)
                    .or(() -> text(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG).map(pem -> "the CA in ssl.truststore.certificates"))
                    .orElse("the JDK's default CAs (no ssl.truststore.location is set)");
        }

        List<InetSocketAddress> addresses() {
            List<InetSocketAddress> addresses = new ArrayList<>();
            for (String server : bootstrap().split(",")) {
                int colon = server.strip().lastIndexOf(':');
                if (colon > 0) {
                    try {
                        addresses.add(new InetSocketAddress(server.strip().substring(0, colon),
                                Integer.parseInt(server.strip().substring(colon + 1))));
                    } catch (IllegalArgumentException notAnAddress) {
                        // Nothing to probe there; the client's own error said so already.
                    }
                }
            }
            return addresses;
        }

        private Optional<String> text(String key) {
            Object value = properties.get(key);
            // A Password prints as [hidden]; its value is read only to find the user name in a JAAS line.
            String text = value instanceof Password password ? password.value() : String.valueOf(value);
            return value == null || text.isBlank() ? Optional.empty() : Optional.of(text);
        }
    }

    /** Trusts every certificate: only for {@link #speaksTls}, which sends nothing over the connection. */
    private static final class LookOnly implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
