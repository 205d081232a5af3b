package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Backup and Restore CRDs: their names, their schemas against the examples, and their CEL rules. */
class BackupAndRestoreCrdsTest {
    static final Path BACKUP_CRD = ModuleFiles.INSTALL.resolve("011-CustomResourceDefinition-Backup.yaml");
    static final Path RESTORE_CRD = ModuleFiles.INSTALL.resolve("012-CustomResourceDefinition-Restore.yaml");
    static final Path BACKUP = ModuleFiles.EXAMPLES.resolve("operations/backup.yaml");
    static final Path RESTORE = ModuleFiles.EXAMPLES.resolve("operations/restore-from-backup-source.yaml");
    static final Path RESTORE_INTO_VOLUME = ModuleFiles.EXAMPLES.resolve("operations/restore-into-new-volume.yaml");

    static final CrdCelRules BACKUP_RULES = CrdCelRules.compile(new BackupConfigCrd(ModuleFiles.read(BACKUP_CRD)));
    static final CrdCelRules RESTORE_RULES = CrdCelRules.compile(new BackupConfigCrd(ModuleFiles.read(RESTORE_CRD)));
    static final BackupConfigSchema BACKUP_SCHEMA = BackupConfigSchema.of(new BackupConfigCrd(ModuleFiles.read(BACKUP_CRD)));
    static final BackupConfigSchema RESTORE_SCHEMA = BackupConfigSchema.of(
            new BackupConfigCrd(ModuleFiles.read(RESTORE_CRD)));

    @Test
    void namesAreStowagesOwnAndDoNotCollideWithVeleroOrCloudNativePg() {
        for (Path file : List.of(BACKUP_CRD, RESTORE_CRD)) {
            CustomResourceDefinition crd = ModuleFiles.resource(file, CustomResourceDefinition.class);
            assertThat(crd.getSpec().getGroup()).isEqualTo("stowage.io");
            assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
            assertThat(crd.getSpec().getVersions()).singleElement().satisfies(v -> {
                assertThat(v.getName()).isEqualTo("v1alpha1");
                assertThat(v.getSubresources().getStatus()).isNotNull();
            });
            // kubectl resolves a short name across groups: velero.io and postgresql.cnpg.io have backups and
            // restores too, so ours must not answer to their names.
            assertThat(crd.getSpec().getNames().getShortNames()).doesNotContain("backup", "backups", "restore",
                    "restores", "bk", "rs", "bkp");
        }
        assertThat(ModuleFiles.resource(BACKUP_CRD, CustomResourceDefinition.class).getSpec().getNames()
                .getShortNames()).containsExactly("stbk");
        assertThat(ModuleFiles.resource(RESTORE_CRD, CustomResourceDefinition.class).getSpec().getNames()
                .getShortNames()).containsExactly("strs");
    }

    @Test
    void theExamplesMatchTheSchemasAndPassEveryRule() {
        assertThat(BACKUP_SCHEMA.refusals(ModuleFiles.read(BACKUP))).isEmpty();
        assertThat(RESTORE_SCHEMA.refusals(ModuleFiles.read(RESTORE))).isEmpty();
        assertThat(BACKUP_RULES.violations(ModuleFiles.read(BACKUP))).isEmpty();
        assertThat(RESTORE_RULES.violations(ModuleFiles.read(RESTORE))).isEmpty();
        assertThat(RESTORE_SCHEMA.refusals(ModuleFiles.read(RESTORE_INTO_VOLUME))).isEmpty();
        assertThat(RESTORE_RULES.violations(ModuleFiles.read(RESTORE_INTO_VOLUME))).isEmpty();
    }

    @Test
    void aBackupsOrRestoresSpecCannotChangeButItsStatusCan() {
        JsonNode backup = ModuleFiles.read(BACKUP);
        ObjectNode moved = backup.deepCopy();
        ((ObjectNode) moved.path("spec")).put("cluster", "databases/pg3");
        assertThat(BACKUP_RULES.violations(backup, moved)).containsExactly(new CrdCelRules.Violation("/spec",
                "a Backup's spec cannot change: create another Backup"));
        ObjectNode withStatus = backup.deepCopy();
        withStatus.putObject("status").put("phase", "Running");
        assertThat(BACKUP_RULES.violations(backup, withStatus)).isEmpty();

        JsonNode restore = ModuleFiles.read(RESTORE);
        ObjectNode otherStorage = restore.deepCopy();
        ((ObjectNode) otherStorage.path("spec")).put("storage", "elsewhere");
        assertThat(RESTORE_RULES.violations(restore, otherStorage)).containsExactly(new CrdCelRules.Violation("/spec",
                "a Restore's spec cannot change: create another Restore"));
    }

    @Test
    void aRestoreTargetIsATimeOrAnLsnAndABackupSourceIsAWholeStorage() {
        ObjectNode both = ModuleFiles.read(RESTORE).deepCopy();
        ((ObjectNode) both.path("spec").path("target")).put("lsn", "0/3000060");
        assertThat(RESTORE_RULES.violations(both)).containsExactly(new CrdCelRules.Violation("/spec/target",
                "target needs exactly one of time or lsn"));

        ObjectNode noBucket = ModuleFiles.read(RESTORE).deepCopy();
        ((ObjectNode) noBucket.path("spec").path("backupSource")).remove("s3");
        assertThat(RESTORE_RULES.violations(noBucket)).containsExactly(new CrdCelRules.Violation(
                "/spec/backupSource", "type s3 requires s3.bucket"));

        ObjectNode instanceAndVolume = ModuleFiles.read(RESTORE).deepCopy();
        ((ObjectNode) instanceAndVolume.path("spec")).remove("backupAfterRestore");
        ((ObjectNode) instanceAndVolume.path("spec")).putObject("newInstance").put("dataDirectory", "/srv/drill")
                .put("port", 5433);
        ((ObjectNode) instanceAndVolume.path("spec")).putObject("newVolume").put("claimName", "orders-restored")
                .put("size", "50Gi");
        assertThat(RESTORE_SCHEMA.refusals(instanceAndVolume)).isEmpty();
        assertThat(RESTORE_RULES.violations(instanceAndVolume)).containsExactly(new CrdCelRules.Violation("/spec",
                "a restore goes to a new instance or a new volume, not both"));

        ObjectNode volumeAndBackup = ModuleFiles.read(RESTORE).deepCopy();
        ((ObjectNode) volumeAndBackup.path("spec")).putObject("newVolume").put("claimName", "orders-restored")
                .put("size", "50Gi");
        ((ObjectNode) volumeAndBackup.path("spec")).put("backupAfterRestore", true);
        assertThat(RESTORE_RULES.violations(volumeAndBackup)).containsExactly(new CrdCelRules.Violation("/spec",
                "a restore into a new volume leaves no server running to back up"));
        ((ObjectNode) volumeAndBackup.path("spec")).put("backupAfterRestore", false);
        ((ObjectNode) volumeAndBackup.path("spec").path("newVolume")).put("size", "fifty gigs");
        assertThat(RESTORE_RULES.violations(volumeAndBackup)).isEmpty();
        assertThat(RESTORE_SCHEMA.refusals(volumeAndBackup)).isNotEmpty();

        ObjectNode twoStorages = ModuleFiles.read(RESTORE).deepCopy();
        ((ObjectNode) twoStorages.path("spec")).putArray("storage").add("a").add("b");
        assertThat(RESTORE_SCHEMA.refusals(twoStorages)).isNotEmpty();
    }
}
