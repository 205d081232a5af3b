package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stowage.events.EventJson;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.StorageSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CRD and the examples against Fabric8's mock API server in CRUD mode: it stores and serves
 * resources like an API server but runs neither the schema nor the CEL rules.
 */
@EnableKubernetesMockClient(crud = true)
class BackupConfigApiServerTest {
    private static final String NAMESPACE = "databases";
    private static final Path TWO_STORAGES = ModuleFiles.EXAMPLES.resolve("s3-main-filesystem-profile.yaml");

    KubernetesClient client;
    private MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> backupConfigs;

    @BeforeEach
    void installCrd() {
        CustomResourceDefinition crd = ModuleFiles.resource(ModuleFiles.CRD, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        backupConfigs = client.genericKubernetesResources(CustomResourceDefinitionContext.fromCrd(crd));
    }

    @Test
    void createdBackupConfigsCanBeReadAndListed() {
        List<Path> examples = ModuleFiles.yamlFiles(ModuleFiles.EXAMPLES);
        examples.forEach(this::create);

        GenericKubernetesResource read = backupConfigs.inNamespace(NAMESPACE).withName("pg2").get();
        assertThat(JsonTrees.equal(specOf(read), ModuleFiles.read(TWO_STORAGES).path("spec"))).isTrue();
        assertThat(backupConfigs.inNamespace(NAMESPACE).list().getItems())
                .extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrder("pg1", "pg2", "pg3");
        assertThat(backupConfigs.inNamespace("elsewhere").list().getItems()).isEmpty();
    }

    @Test
    void specFromTheServerRoundTripsThroughBackupConfigSpecWithoutLoss() {
        GenericKubernetesResource created = create(TWO_STORAGES);

        JsonNode served = specOf(backupConfigs.inNamespace(NAMESPACE).withName(created.getMetadata().getName()).get());
        BackupConfigSpec spec = EventJson.read(served, BackupConfigSpec.class);

        assertThat(JsonTrees.equal(EventJson.tree(spec), served)).as("written back: %s", EventJson.tree(spec)).isTrue();
        assertThat(spec.storages().get("s3-us-west").s3().caBundleSecret()).isEqualTo("s3-ca");
        assertThat(spec.storages().get("s3-us-west").s3().forcePathStyle()).isTrue();
    }

    @Test
    void typedClientReadsTheSpecAsTheContractRecord() {
        create(TWO_STORAGES);

        BackupConfig typed = client.resources(BackupConfig.class).inNamespace(NAMESPACE).withName("pg2").get();

        BackupConfigSpec fromFile = EventJson.read(ModuleFiles.read(TWO_STORAGES).path("spec"), BackupConfigSpec.class);
        assertThat(typed.getSpec()).isEqualTo(fromFile);
        assertThat(typed.getCRDName()).isEqualTo("backupconfigs.stowage.io");
    }

    @Test
    void resyncAnnotationCanBeSetAndCleared() {
        create(ModuleFiles.EXAMPLES.resolve("single-storage.yaml"));
        Resource<GenericKubernetesResource> pg1 = backupConfigs.inNamespace(NAMESPACE).withName("pg1");
        JsonNode specBefore = specOf(pg1.get());

        pg1.edit(r -> {
            r.getMetadata().setAnnotations(new LinkedHashMap<>(Map.of(BackupConfig.RESYNC_ANNOTATION, "true")));
            return r;
        });
        assertThat(pg1.get().getMetadata().getAnnotations()).containsEntry(BackupConfig.RESYNC_ANNOTATION, "true");

        // What config-service does once the resync is requested: remove the one-shot flag, touch nothing else.
        pg1.edit(r -> {
            r.getMetadata().getAnnotations().remove(BackupConfig.RESYNC_ANNOTATION);
            return r;
        });
        GenericKubernetesResource after = pg1.get();
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(BackupConfig.RESYNC_ANNOTATION);
        assertThat(JsonTrees.equal(specOf(after), specBefore)).isTrue();
    }

    @Test
    void changingTheMainIsAnUpdateOfTheSpec() {
        create(TWO_STORAGES);

        // As kubectl edit or a GitOps tool would: on the document, not through the Java model.
        backupConfigs.inNamespace(NAMESPACE).withName("pg2").edit(r -> {
            Map<String, Map<String, Object>> storages = storagesOf(r);
            storages.get("s3-us-west").remove("main");
            storages.get("local").put("main", true);
            return r;
        });

        BackupConfig read = client.resources(BackupConfig.class).inNamespace(NAMESPACE).withName("pg2").get();
        Map<String, StorageSpec> stored = read.getSpec().storages();
        assertThat(stored.get("local").isMarkedMain()).isTrue();
        assertThat(stored.get("s3-us-west").isMarkedMain()).isFalse();
        assertThat(read.getMetadata().getGeneration()).isGreaterThan(1L);
    }

    @Test
    void statusIsWrittenThroughTheStatusSubresourceOnly() {
        create(TWO_STORAGES);
        BackupConfig current = client.resources(BackupConfig.class).inNamespace(NAMESPACE).withName("pg2").get();
        current.setStatus(new BackupConfigStatus(1L, "s3-us-west", List.of("local"),
                List.of(new ConditionBuilder().withType("Ready").withStatus("True").withReason("Applied").build()), null));

        client.resources(BackupConfig.class).inNamespace(NAMESPACE).resource(current).updateStatus();

        Resource<GenericKubernetesResource> pg2 = backupConfigs.inNamespace(NAMESPACE).withName("pg2");
        assertThat(statusOf(pg2.get()).path("main").asText()).isEqualTo("s3-us-west");
        assertThat(statusOf(pg2.get()).path("profiles")).containsExactly(EventJson.MAPPER.getNodeFactory().textNode("local"));
        assertThat(JsonTrees.equal(specOf(pg2.get()), ModuleFiles.read(TWO_STORAGES).path("spec"))).isTrue();

        // A write to the main resource does not change status: only config-service does, through /status.
        pg2.edit(r -> {
            r.setAdditionalProperty("status", Map.of("main", "local"));
            return r;
        });
        assertThat(statusOf(pg2.get()).path("main").asText()).isEqualTo("s3-us-west");
    }

    private GenericKubernetesResource create(Path example) {
        GenericKubernetesResource resource = EventJson.MAPPER.convertValue(ModuleFiles.read(example), GenericKubernetesResource.class);
        return backupConfigs.inNamespace(NAMESPACE).resource(resource).create();
    }

    private static JsonNode specOf(GenericKubernetesResource resource) {
        return EventJson.MAPPER.valueToTree(resource.getAdditionalProperties().get("spec"));
    }

    private static JsonNode statusOf(GenericKubernetesResource resource) {
        return EventJson.MAPPER.valueToTree(resource.getAdditionalProperties().get("status"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> storagesOf(GenericKubernetesResource resource) {
        return (Map<String, Map<String, Object>>) ((Map<String, Object>) resource.getAdditionalProperties().get("spec")).get("storages");
    }
}
