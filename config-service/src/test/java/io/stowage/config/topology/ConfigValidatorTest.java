package io.stowage.config.topology;

import io.stowage.config.model.ClusterConfig;
import io.stowage.config.model.ConfigProblem;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stowage.config.topology.Configs.doc;
import static io.stowage.config.topology.Configs.header;
import static org.assertj.core.api.Assertions.assertThat;

class ConfigValidatorTest {

    @Test
    void aSingleStorageWithoutMainIsTheImpliedMain() {
        ClusterConfig c = Configs.valid(header("pg1") + """
                  storages:
                    only:
                      type: filesystem
                      filesystem: {path: /srv/backups}
                """);
        assertThat(c.main()).isEqualTo("only");
        assertThat(c.mainImplied()).isTrue();
        assertThat(c.profiles()).isEmpty();
        assertThat(c.spec().storages().get("only").main()).isTrue();
    }

    @Test
    void theMarkedMainAndTheProfilesAreResolved() {
        ClusterConfig c = Configs.valid(header("pg1") + """
                  storages:
                    s3-us-west:
                      main: true
                      type: s3
                      s3: {bucket: backups, region: us-west-2, credentialsSecret: s3-creds}
                    local:
                      type: filesystem
                      filesystem: {path: /srv/backups}
                    nas:
                      type: filesystem
                      filesystem: {path: /mnt/nas}
                """);
        assertThat(c.main()).isEqualTo("s3-us-west");
        assertThat(c.mainImplied()).isFalse();
        assertThat(c.profiles()).containsExactly("local", "nas");
        assertThat(c.spec().storages().get("local").main()).isFalse();
    }

    @Test
    void aRestoreOnlyClusterNeedsNoStorage() {
        for (String storages : List.of("", "  storages: {}\n", "  storages:\n")) {
            ClusterConfig c = Configs.valid(header("pg-dr") + storages);
            assertThat(c.main()).as("storages '%s'", storages).isNull();
            assertThat(c.profiles()).isEmpty();
            assertThat(c.mainImplied()).isFalse();
            assertThat(c.spec().storages()).isEmpty();
            assertThat(c.spec().postgres().host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void storagesAsAListIsRefused() {
        assertThat(refusal(header("pg1") + """
                  storages: [a, b]
                """)).containsExactly("spec.storages: must be a map of storage name to storage (or left out)");
    }

    @Test
    void severalStoragesButNoMainIsRefused() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {type: filesystem, filesystem: {path: /a}}
                    b: {type: filesystem, filesystem: {path: /b}}
                """)).containsExactly("spec.storages: several storages but no main: mark exactly one with main: true (a, b)");
    }

    @Test
    void twoMainsAreRefused() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {main: true, type: filesystem, filesystem: {path: /a}}
                    b: {main: true, type: filesystem, filesystem: {path: /b}}
                """)).containsExactly(
                "spec.storages: several storages have main: true: mark exactly one with main: true (a, b)");
    }

    @Test
    void anUnknownTypeIsRefused() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {type: gcs, gcs: {bucket: x}}
                """)).contains("spec.storages.a.type: unknown type 'gcs': use s3 or filesystem");
    }

    @Test
    void aMissingBucketOrPathIsRefused() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {main: true, type: s3, s3: {region: eu-west-1}}
                    b: {type: filesystem, filesystem: {prefix: x}}
                """)).containsExactly("spec.storages.a.s3.bucket: type s3 requires s3.bucket",
                "spec.storages.b.filesystem.path: type filesystem requires filesystem.path");
    }

    @Test
    void aLiteralKeyInPlaceOfASecretNameIsRefusedWithoutEchoingIt() {
        String key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        List<String> refusals = refusal(header("pg1") + """
                  storages:
                    a:
                      type: s3
                      s3: {bucket: backups, credentialsSecret: "%s"}
                """.formatted(key));
        assertThat(refusals).singleElement().asString()
                .startsWith("spec.storages.a.s3.credentialsSecret: must name a secret")
                .doesNotContain(key);
    }

    @Test
    void aKeyFieldIsRefusedAsALiteralKey() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a:
                      type: s3
                      s3: {bucket: backups, secretAccessKey: abc}
                """)).singleElement().asString()
                .startsWith("spec.storages.a.s3.secretAccessKey: a literal key in place of a secret name")
                .doesNotContain("abc");
    }

    @Test
    void aProfileAtTheMainsLocationIsRefused() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {main: true, type: s3, s3: {bucket: backups, prefix: stowage/pg1}}
                    b: {type: s3, s3: {bucket: backups}}
                """)).singleElement().asString()
                .startsWith("spec.storages.b: points at the same location as storage a (s3://backups/stowage/pg1)");
    }

    @Test
    void nestedFoldersOverlapToo() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {main: true, type: filesystem, filesystem: {path: /srv, prefix: backups}}
                    b: {type: filesystem, filesystem: {path: /srv/backups/stowage, prefix: pg1}}
                """)).singleElement().asString().contains("points at the same location as storage a");
    }

    @Test
    void aTypoInAFieldNameIsRefusedRatherThanIgnored() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    a: {mian: true, type: filesystem, filesystem: {path: /a}}
                """)).singleElement().asString().startsWith("spec.storages.a.mian: unknown field");
    }

    @Test
    void aMissingNameOrSpecIsRefused() {
        assertThat(refusal("""
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata: {}
                """)).contains("metadata.name: is required: it is the cluster id", "spec: is required");
    }

    @Test
    void theResyncAnnotationIsRead() {
        ClusterConfig c = Configs.valid("""
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: pg1
                  annotations: {stowage.io/resync: "true"}
                spec:
                  postgres: {host: h, user: u}
                  storages: {a: {type: filesystem, filesystem: {path: /a}}}
                """);
        assertThat(c.resyncAnnotation()).isTrue();
    }

    @Test
    void otherKindsInTheFolderAreNotOurs() {
        assertThat(ConfigValidator.isBackupConfig(doc("x.yaml", "{apiVersion: v1, kind: ConfigMap}"))).isFalse();
        assertThat(ConfigValidator.isBackupConfig(doc("x.yaml", "{apiVersion: stowage.io/v1alpha1, kind: Backupconfig}")))
                .isTrue();
    }

    private static List<String> refusal(String yaml) {
        ConfigValidator.Result r = ConfigValidator.validate(doc("test.yaml", yaml));
        assertThat(r.valid()).as("refused").isFalse();
        return r.problems().stream().map(ConfigValidatorTest::line).toList();
    }

    private static String line(ConfigProblem p) {
        assertThat(p.source()).isEqualTo("test.yaml");
        assertThat(p.document()).isEqualTo(1);
        return p.field() + ": " + p.reason();
    }
}
