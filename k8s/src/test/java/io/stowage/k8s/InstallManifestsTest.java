package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The manifests under install/: names, the CRD's shape outside its schema, and RBAC that fits together. */
class InstallManifestsTest {
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{3})-([A-Za-z]+)-([A-Za-z0-9.-]+)\\.yaml");

    static List<Path> manifests() {
        return ModuleFiles.yamlFiles(ModuleFiles.INSTALL);
    }

    private static <T extends HasMetadata> T load(String fileName, Class<T> type) {
        return ModuleFiles.resource(ModuleFiles.INSTALL.resolve(fileName), type);
    }

    @ParameterizedTest
    @MethodSource("manifests")
    void fileNameSaysNumberKindAndName(Path file) {
        Matcher name = FILE_NAME.matcher(file.getFileName().toString());
        assertThat(name.matches()).as("NNN-Kind-name.yaml: " + file).isTrue();
        HasMetadata resource = ModuleFiles.resource(file);
        assertThat(resource.getKind()).isEqualTo(name.group(2));
        String expected = resource instanceof CustomResourceDefinition crd ? crd.getSpec().getNames().getKind() : resource.getMetadata().getName();
        assertThat(name.group(3)).isEqualTo(expected);
    }

    @Test
    void manifestNumbersAreUniqueAndTheCrdComesFirst() {
        List<String> numbers = manifests().stream().map(p -> p.getFileName().toString().substring(0, 3)).toList();
        assertThat(numbers).doesNotHaveDuplicates().isSorted();
        assertThat(manifests().get(0)).isEqualTo(ModuleFiles.CRD);
    }

    @Test
    void crdNamesTheBackupConfigResource() {
        CustomResourceDefinition crd = load(ModuleFiles.CRD.getFileName().toString(), CustomResourceDefinition.class);
        CustomResourceDefinitionNames names = crd.getSpec().getNames();
        assertThat(crd.getMetadata().getName()).isEqualTo("backupconfigs.stowage.io");
        assertThat(crd.getSpec().getGroup()).isEqualTo("stowage.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(names.getKind()).isEqualTo("BackupConfig");
        assertThat(names.getPlural()).isEqualTo("backupconfigs");
        assertThat(names.getSingular()).isEqualTo("backupconfig");
        assertThat(names.getShortNames()).containsExactly("bc");
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getServed()).isTrue();
        assertThat(version.getStorage()).isTrue();
        assertThat(version.getSubresources().getStatus()).isNotNull();
    }

    @Test
    void printerColumnsShowMainPitrLastBackupReadyAndAgeFromFieldsTheSchemaHas() {
        BackupConfigCrd crd = BackupConfigCrd.load();
        JsonNode columns = crd.version().path("additionalPrinterColumns");
        assertThat(columns.findValuesAsText("name")).containsExactly("Main", "PITR", "Last Backup", "Ready", "Age");
        for (JsonNode column : columns) {
            String path = column.path("jsonPath").asText();
            if (path.contains("[?(")) {
                // A list filtered to one item, then a field of the item: .status.conditions[?(@.type=="Ready")].status
                String list = path.substring(0, path.indexOf('['));
                String field = path.substring(path.lastIndexOf('.') + 1);
                JsonNode item = crd.schemaAt(list.replace('.', '/')).path("items");
                assertThat(item.path("properties").path(field).path("type").asText()).as(path)
                        .isEqualTo(column.path("type").asText());
            } else if (!path.startsWith(".metadata.")) {
                JsonNode schema = crd.schemaAt(path.replace('.', '/'));
                if (column.path("type").asText().equals("date")) {
                    assertThat(schema.path("type").asText() + " " + schema.path("format").asText()).as(path)
                            .isEqualTo("string date-time");
                } else {
                    assertThat(schema.path("type").asText()).as(path).isEqualTo(column.path("type").asText());
                }
            }
        }
    }

    @Test
    void crdDescriptionDocumentsTheResyncAnnotation() {
        assertThat(BackupConfigCrd.load().openApiSchema().path("description").asText())
                .contains("stowage.io/resync: \"true\"");
    }

    @Test
    void bindingGivesTheConfigRoleToTheServiceAccount() {
        ServiceAccount account = load("020-ServiceAccount-stowage.yaml", ServiceAccount.class);
        ClusterRole role = load("021-ClusterRole-stowage-config.yaml", ClusterRole.class);
        ClusterRoleBinding binding = load("022-ClusterRoleBinding-stowage-config.yaml", ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
        });
    }

    @Test
    void configRoleReadsBackupConfigsWritesStatusAndOnlyGetsSecretsByName() {
        ClusterRole role = load("021-ClusterRole-stowage-config.yaml", ClusterRole.class);
        assertThat(verbs(role, "stowage.io", "backupconfigs")).containsExactlyInAnyOrder("list", "watch", "patch");
        assertThat(verbs(role, "stowage.io", "backupconfigs/status")).containsExactly("patch");
        assertThat(verbs(role, "", "secrets")).containsExactly("get");
        assertThat(verbs(role, "", "events")).containsExactly("create");
        assertThat(role.getRules()).allSatisfy(r -> {
            assertThat(r.getResources()).doesNotContain("*");
            assertThat(r.getVerbs()).doesNotContain("*", "delete", "deletecollection");
            if (!r.getResources().equals(List.of("events"))) {
                assertThat(r.getVerbs()).doesNotContain("create");
            }
        });
    }

    private static List<String> verbs(ClusterRole role, String group, String resource) {
        return role.getRules().stream()
                .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
                .map(PolicyRule::getVerbs).flatMap(List::stream).toList();
    }
}
