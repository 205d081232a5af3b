package io.stowage.localstack;

/** How clients reach the broker and prove who they are: the shapes production runs Kafka in. */
public enum BrokerSecurity {
    /** No TLS, no authentication, no authorization: the default, for most tests and the local stack. */
    PLAINTEXT("PLAINTEXT"),
    /**
     * TLS with a certificate from a CA made for the work directory, SCRAM-SHA-512 users ({@link BrokerUser}) added
     * when the storage is formatted, and ACLs.
     */
    SASL_SSL("SASL_SSL"),
    /** TLS on which the broker requires a client certificate signed by the work directory's CA (mutual TLS), and ACLs. */
    MTLS("SSL");

    private final String protocol;

    BrokerSecurity(String protocol) {
        this.protocol = protocol;
    }

    /** Kafka's {@code security.protocol} of the client listener: PLAINTEXT, SASL_SSL or SSL. */
    public String protocol() {
        return protocol;
    }

    public boolean isSecure() {
        return this != PLAINTEXT;
    }
}
