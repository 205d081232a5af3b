package io.stowage.localstack;

/**
 * The identities a secured broker knows: a SCRAM user under {@link BrokerSecurity#SASL_SSL}, the common name of a
 * client certificate under {@link BrokerSecurity#MTLS}. Under PLAINTEXT nobody proves anything and both are the same.
 */
public enum BrokerUser {
    /** A super user: the broker's own connections to itself (SASL_SSL), topic setup, ACLs. */
    ADMIN("stowage-admin"),
    /** What the services and the CLI use: reads and writes topics, consumer groups and transactions; creates nothing. */
    SERVICE("stowage-service");

    private final String userName;

    BrokerUser(String userName) {
        this.userName = userName;
    }

    /** The SCRAM user name or certificate common name, e.g. {@code stowage-service}. */
    public String userName() {
        return userName;
    }

    /** The principal the broker's authorizer sees, e.g. {@code User:stowage-service}. */
    public String principal() {
        return "User:" + userName;
    }
}
