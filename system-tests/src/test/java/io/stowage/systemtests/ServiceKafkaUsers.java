package io.stowage.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.stowage.localstack.BrokerUser;
import io.stowage.localstack.KafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * One Kafka user per service on a SASL_SSL broker, as the Strimzi overlay's KafkaUsers make them on Kubernetes: a
 * SCRAM-SHA-512 login each, and the ACLs {@code k8s/overlays/strimzi/users.yaml} gives it (read from the file,
 * translated from Strimzi's simple authorization to the broker's ACLs).
 */
final class ServiceKafkaUsers {
    static final Path MANIFEST = Path.of("..", "k8s", "overlays", "strimzi", "users.yaml");
    private static final SecureRandom RANDOM = new SecureRandom();

    private ServiceKafkaUsers() {
    }

    /** The KafkaUser of a service: {@code stowage-<service>}, whose Secret the service's Deployment reads. */
    static String userOf(String service) {
        return "stowage-" + service;
    }

    /** Each KafkaUser of the manifest and its ACLs, as the broker's bindings. */
    static Map<String, List<AclBinding>> fromManifest() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, List<AclBinding>> users = new LinkedHashMap<>();
        for (JsonNode doc : yaml.readValues(yaml.createParser(MANIFEST.toFile()), JsonNode.class).readAll()) {
            if (!"KafkaUser".equals(doc.path("kind").asText())) {
                continue;
            }
            String name = doc.path("metadata").path("name").asText();
            List<AclBinding> acls = new ArrayList<>();
            for (JsonNode acl : doc.path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                ResourceType type = switch (r.path("type").asText()) {
                    case "topic" -> ResourceType.TOPIC;
                    case "group" -> ResourceType.GROUP;
                    case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                    case "cluster" -> ResourceType.CLUSTER;
                    default -> throw new IllegalArgumentException(name + ": resource type " + r.path("type"));
                };
                String resource = type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText();
                PatternType pattern = "prefix".equals(r.path("patternType").asText("literal")) ? PatternType.PREFIXED
                        : PatternType.LITERAL;
                for (JsonNode op : acl.path("operations")) {
                    AclOperation operation = AclOperation.fromString(op.asText().replaceAll("([a-z])([A-Z])", "$1_$2")
                            .toUpperCase(Locale.ROOT));
                    acls.add(new AclBinding(new ResourcePattern(type, resource, pattern), new AccessControlEntry(
                            "User:" + name, "*", operation, AclPermissionType.ALLOW)));
                }
            }
            users.put(name, acls);
        }
        return users;
    }

    /**
     * Makes {@code user} on the broker with {@code acls}, and returns the client properties that log in as it (the
     * service user's, with this user's login).
     */
    static Map<String, String> create(KafkaBroker broker, String user, List<AclBinding> acls) throws Exception {
        byte[] secret = new byte[18];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Map<String, Object> admin = new HashMap<>(broker.clientProperties(BrokerUser.ADMIN));
        try (Admin a = Admin.create(admin)) {
            a.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all().get();
            a.createAcls(acls).all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> a.describeAcls(AclBindingFilter.ANY).values().get()
                    .containsAll(acls));
        }
        Map<String, String> login = new HashMap<>(broker.clientProperties(BrokerUser.SERVICE));
        login.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        Map<String, Object> asUser = new HashMap<>(login);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            try (Admin a = Admin.create(asUser)) {
                return a.describeCluster().clusterId().get() != null;
            }
        });
        return login;
    }
}
