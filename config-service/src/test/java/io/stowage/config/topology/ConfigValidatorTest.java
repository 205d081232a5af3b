package io.stowage.config.topology;

import io.stowage.config.model.ClusterConfig;
import io.stowage.config.model.ConfigProblem;
import io.stowage.events.spec.RetentionSpec;
import io.stowage.events.spec.ScheduleSpec;
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

    @Test
    void schedulesAndRetentionAreRead() {
        ClusterConfig c = Configs.valid(header("pg1") + """
                  schedules:
                    - {name: nightly, schedule: "0 2 * * *", timezone: Europe/Paris, storages: [s3-us-west, local]}
                    - {name: hourly, schedule: "0 * * * *", enabled: false}
                  storages:
                    s3-us-west:
                      main: true
                      type: s3
                      s3: {bucket: backups}
                      retention: {keep: 14, maxAge: 30d}
                    local:
                      type: filesystem
                      filesystem: {path: /srv/backups}
                      retention: {keep: 3}
                """);
        assertThat(c.spec().schedulesOrNone()).extracting(ScheduleSpec::name).containsExactly("nightly", "hourly");
        ScheduleSpec nightly = c.spec().schedulesOrNone().get(0);
        assertThat(nightly.timezone()).isEqualTo("Europe/Paris");
        assertThat(nightly.storages()).containsExactly("s3-us-west", "local");
        assertThat(nightly.enabledOrDefault()).isTrue();
        assertThat(c.spec().schedulesOrNone().get(1).enabledOrDefault()).isFalse();
        assertThat(c.spec().storages().get("s3-us-west").retention()).isEqualTo(new RetentionSpec(14, "30d"));
        assertThat(c.spec().storages().get("local").retention()).isEqualTo(new RetentionSpec(3, null));
    }

    @Test
    void aBadScheduleIsRefusedNamingTheField() {
        assertThat(refusal(header("pg1") + """
                  schedules:
                    - {name: nightly, schedule: "0 2 * * * *"}
                    - {name: nightly, schedule: "0 3 * * *"}
                    - {name: Weekly, schedule: "0 3 * * 0"}
                    - {name: paris, schedule: "0 3 * * 0", timezone: Europe/Lutetia}
                    - {name: elsewhere, schedule: "61 3 * * 0", storages: [nas]}
                    - {name: off, schedule: "0 3 * * 0", enabled: "no"}
                  storages:
                    local: {type: filesystem, filesystem: {path: /srv/backups}}
                """)).containsExactly(
                "spec.schedules[0].schedule: '0 2 * * * *' has 6 fields: a cron expression has 5 (minute, hour, day "
                        + "of month, month, day of week)",
                "spec.schedules[1].name: 'nightly' is the name of another schedule: names are unique in a cluster",
                "spec.schedules[2].name: is required: lowercase letters, digits and '-', at most 63 (it names the "
                        + "schedule's backups)",
                "spec.schedules[3].timezone: 'Europe/Lutetia' is not a time zone (an IANA name such as Europe/Paris, "
                        + "or UTC)",
                "spec.schedules[4].schedule: '61 3 * * 0' is not a cron expression: Failed to parse cron expression. "
                        + "Value 61 not in range [0, 59]",
                "spec.schedules[4].storages: unknown storage \"nas\" (storages: local)",
                "spec.schedules[5].name: must be text: quote it (YAML reads on, off, yes and no as true or false)",
                "spec.schedules[5].enabled: must be true or false");
    }

    @Test
    void aScheduleOfAClusterWithoutStorageIsRefused() {
        assertThat(refusal(header("pg-dr") + """
                  schedules: [{name: nightly, schedule: "0 2 * * *"}]
                """)).containsExactly("spec.schedules[0].storages: the cluster has no storage to back up to: add one "
                + "under spec.storages");
    }

    @Test
    void aBadRetentionIsRefusedNamingTheField() {
        assertThat(refusal(header("pg1") + """
                  storages:
                    local:
                      type: filesystem
                      filesystem: {path: /srv/backups}
                      retention: {keep: 0, maxAge: 30days}
                """)).containsExactly(
                "spec.storages.local.retention.keep: must be a whole number of at least 1 (the newest complete backup "
                        + "is always kept)",
                "spec.storages.local.retention.maxAge: '30days' is not an age: a whole number and m, h, d or w (90m, "
                        + "12h, 30d, 2w)");
        assertThat(refusal(header("pg1") + """
                  storages:
                    local:
                      type: filesystem
                      filesystem: {path: /srv/backups}
                      retention: {keep: 2.5, keepDays: 3}
                """)).containsExactly(
                "spec.storages.local.retention.keepDays: unknown field (known: keep, maxAge)",
                "spec.storages.local.retention.keep: must be a whole number of at least 1 (the newest complete backup "
                        + "is always kept)");
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
