package io.stowage.systemtests;

import io.stowage.localstack.BrokerSecurity;
import io.stowage.localstack.BrokerUser;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclBinding;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SecuredStackChecks} on SASL_SSL: SCRAM-SHA-512 logins over TLS, and a client that does not log in. */
class SecureStackIT extends SecuredStackChecks {
    @Override
    BrokerSecurity shape() {
        return BrokerSecurity.SASL_SSL;
    }

    /**
     * Each service logs in as its own KafkaUser of the Strimzi overlay, with that user's ACLs and nothing more: the
     * scenario passing is what shows the ACLs cover what each service does.
     */
    @Override
    void beforeServicesStart() throws Exception {
        Map<String, List<AclBinding>> users = ServiceKafkaUsers.fromManifest();
        for (String service : List.of(StowageServices.CONFIG, StowageServices.BACKUP, StowageServices.RESYNC,
                StowageServices.RESTORE)) {
            String user = ServiceKafkaUsers.userOf(service);
            assertThat(users).as("a KafkaUser for " + service).containsKey(user);
            services.withKafka(service, ServiceKafkaUsers.create(broker, user, users.get(user)));
        }
    }

    @Test
    void aClientWithoutItsSaslLoginIsRefusedSayingSo() throws Exception {
        Map<String, String> noLogin = new HashMap<>(broker.clientProperties(BrokerUser.SERVICE));
        noLogin.remove("sasl.jaas.config");

        StowageCli.Result result = cliWith(noLogin, "no-login", "backup", "create", "--cluster", "refused",
                "--backup-id", "never");

        assertThat(result.exitCode()).as(result.toString()).isNotZero();
        assertThat(result.err()).as(result.toString()).contains("SASL", "sasl.jaas.config",
                work.resolve("no-login.properties").toString());
    }

    @Test
    void aClientWithAWrongPasswordIsRefusedNamingTheFailedAuthentication() throws Exception {
        Map<String, String> wrong = new HashMap<>(broker.clientProperties(BrokerUser.SERVICE));
        wrong.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                + " username=\"stowage-service\" password=\"not-the-password\";");

        StowageCli.Result result = cliWith(wrong, "wrong-password", "backup", "create", "--cluster", "refused",
                "--backup-id", "never");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).as(result.toString()).contains("Kafka refused the connection",
                "SCRAM-SHA-512", "sasl.jaas.config").containsIgnoringCase("authentication failed")
                .doesNotContain("not-the-password");
    }
}
