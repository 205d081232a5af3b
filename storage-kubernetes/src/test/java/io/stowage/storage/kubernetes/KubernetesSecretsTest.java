package io.stowage.storage.kubernetes;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stowage.storage.MissingSecretException;
import io.stowage.storage.SecretSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against Fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class KubernetesSecretsTest {
    KubernetesClient client;

    void secret(String namespace, String name, String key, String value) {
        client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName(name)
                .withNamespace(namespace).endMetadata().addToData(key, Base64.getEncoder().encodeToString(
                        value.getBytes(StandardCharsets.UTF_8))).build()).createOr(r -> r.update());
    }

    @Test
    void aClusterReadsTheSecretsOfItsOwnNamespace() {
        secret("databases", "s3-creds", "AWS_ACCESS_KEY_ID", "in-databases");
        secret("analytics", "s3-creds", "AWS_ACCESS_KEY_ID", "in-analytics");
        SecretSource secrets = new KubernetesSecrets(client, "stowage");

        assertThat(secrets.forCluster("databases/pg1").read("s3-creds", "AWS_ACCESS_KEY_ID"))
                .asString(StandardCharsets.UTF_8).isEqualTo("in-databases");
        assertThat(secrets.forCluster("analytics/pg9").read("s3-creds", "AWS_ACCESS_KEY_ID"))
                .asString(StandardCharsets.UTF_8).isEqualTo("in-analytics");
    }

    @Test
    void aClusterIdWithoutNamespaceReadsTheDefaultOne() {
        secret("stowage", "pg1-password", "PASSWORD", "local");

        assertThat(new KubernetesSecrets(client, "stowage").forCluster("pg1").read("pg1-password", "PASSWORD"))
                .asString(StandardCharsets.UTF_8).isEqualTo("local");
    }

    @Test
    void aRotatedSecretIsReadAtTheNextUseAndAMissingOneOrKeyIsNamed() {
        SecretSource secrets = new KubernetesSecrets(client, "stowage").forCluster("databases/pg1");
        assertThatThrownBy(() -> secrets.read("pg1-password", "PASSWORD")).isInstanceOf(MissingSecretException.class)
                .hasMessage("Secret databases/pg1-password not found");

        secret("databases", "pg1-password", "PASSWORD", "first");
        assertThat(secrets.read("pg1-password", "PASSWORD")).asString(StandardCharsets.UTF_8).isEqualTo("first");
        secret("databases", "pg1-password", "PASSWORD", "rotated");
        assertThat(secrets.read("pg1-password", "PASSWORD")).asString(StandardCharsets.UTF_8).isEqualTo("rotated");

        assertThatThrownBy(() -> secrets.read("pg1-password", "ca.crt")).isInstanceOf(MissingSecretException.class)
                .hasMessage("Secret databases/pg1-password has no key 'ca.crt'");
    }
}
