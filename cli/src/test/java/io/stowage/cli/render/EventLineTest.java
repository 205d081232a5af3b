package io.stowage.cli.render;

import io.stowage.cli.Records;
import io.stowage.cli.Topologies;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.PitrTarget;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.ResyncScope;
import io.stowage.events.data.StorageChange;
import io.stowage.events.data.StorageChanged;
import io.stowage.events.data.StowageEvent;
import io.stowage.events.data.WalArchived;
import io.stowage.events.spec.TopologyView;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventLineTest {
    private static final String CORRELATION = "1a2b3c4d-0000-4000-8000-000000000001";
    private static final TopologyView VIEW = new TopologyView("b", List.of("a"), Map.of());
    private final EventLine utc = new EventLine(ZoneOffset.UTC);

    private String line(StowageEvent data) {
        return utc.format(Records.read(Records.envelope(CORRELATION, CORRELATION, data)));
    }

    @Test
    void aMainChangeReadsAsOneLineWithTimeTypeClusterWhatAndCorrelation() {
        String line = line(new StorageChanged("pg1", StorageChange.MAIN_CHANGED, "b", "a",
                new TopologyView("b", List.of("a"), Map.of()), "main moved"));

        assertThat(line).isEqualTo("2026-11-22 09:30:01  storage.changed   pg1         MAIN_CHANGED b (was a)  corr=1a2b3c4d");
    }

    @Test
    void timeIsShownInTheGivenZone() {
        String line = new EventLine(ZoneId.of("Europe/Berlin")).format(Records.read(Records.envelope(CORRELATION,
                CORRELATION, new ResyncRequested("pg1", "b", null, null))));

        assertThat(line).startsWith("2026-11-22 10:30:01  resync.requested  pg1 ");
    }

    @Test
    void eachTypeShowsTheDataThatMatters() {
        assertThat(line(new StorageChanged("pg1", StorageChange.PROFILE_ADDED, "a", null, VIEW, null)))
                .contains("  PROFILE_ADDED a  ");
        assertThat(line(new ResyncRequested("pg1", "b", null, "main changed"))).contains("  resync storage=b  ");
        assertThat(line(new ResyncRequested("pg1", null, ResyncScope.ALL, null))).contains("  resync scope=all  ");
        assertThat(line(Topologies.applied("pg1", 7, "s3-us-west", List.of("local"))))
                .contains("topology.applied  pg1         revision 7 main=s3-us-west profiles=local  ");
        assertThat(line(new BackupRequested("pg1", List.of("s3-us-west", "local"), "nightly")))
                .contains("backup.requested  pg1         backup nightly to s3-us-west,local  ");
        assertThat(line(new BackupRequested("pg1", null, null))).contains("backup (id from ce_id) to the main");
        assertThat(line(new BackupProgress("pg1", "nightly", 734003200L, 1395864371L, 251658240L)))
                .contains("backup nightly 700.0 MiB of 1.3 GiB, 240.0 MiB/s");
        assertThat(line(new BackupCompleted("pg1", "nightly", List.of("s3-us-west"), "0/5000028", "0/5000138",
                "00000001", OffsetDateTime.now(), OffsetDateTime.now(), 1395864371L, 305135616L)))
                .contains("backup nightly completed on s3-us-west: lsn 0/5000028..0/5000138 timeline 00000001, 291.0 MiB stored");
        assertThat(line(new WalArchived("pg1", "s3-us-west", "00000001", "000000010000000000000005", 16777216, null)))
                .contains("wal.archived      pg1         wal 000000010000000000000005 (timeline 00000001) on s3-us-west");
        assertThat(line(new RestoreRequested("pg1", "latest", "local", new PitrTarget(null, "0/3000028"), null, true,
                "r1", null))).contains("restore r1 backup=latest storage=local pitr lsn=0/3000028, backup after");
        assertThat(line(new RestoreFailed("pg1", "r1", null, "WAL gap")))
                .contains("restore.failed    pg1         restore r1 failed: WAL gap");
        assertThat(line(new ConfigRejected("pg1", ".stowage/config/pg1.yaml", 1, "spec.storages", "two mains")))
                .contains("config.rejected   pg1         refused .stowage/config/pg1.yaml document 1 at spec.storages: two mains");
    }

    @Test
    void aRejectionNamesTheRefusedRecordWhereItWasAndWhy() {
        assertThat(line(new EventRejected("pg1", "stowage.backup", 0, 17, "io.stowage.backup.requested.v1", "x",
                "backup-service", "data does not match the schema")))
                .contains("event.rejected    pg1         rejected stowage.backup-0@17 (backup.requested) by backup-service: "
                        + "data does not match the schema  corr=");
    }

    @Test
    void anInvalidRecordIsShownAsInvalidWithWhereItIsAndTheReason() {
        String line = utc.format(Records.raw("stowage.backup", 2, 17, "pg1",
                Map.of("ce_type", "io.stowage.backup.requested.v1", "ce_correlationid", "ffeeddcc-11"), "{}"));

        assertThat(line).isEqualTo("2026-11-22 09:30:01  INVALID           pg1         stowage.backup-2@17 "
                + "(backup.requested): not a CloudEvent in binary mode: no ce_specversion header  corr=ffeeddcc");
    }

    @Test
    void aTombstoneSaysTheStateWasRemoved() {
        String line = utc.format(Records.raw("stowage.topology", 1, 5, "pg1", Map.of(), null));

        assertThat(line).isEqualTo("2026-11-22 09:30:01  tombstone         pg1         stowage.topology-1@5: state removed  corr=-");
    }

    @Test
    void controlCharactersFromTheBusNeverReachTheTerminal() {
        String line = line(new RestoreFailed("pg1", "r1", null, "bad\u001b[31mred\nnext"));

        assertThat(line).contains("bad?[31mred?next").doesNotContain("\u001b").doesNotContain("\n");
    }

    @Test
    void shortTypesDropTheCommonPrefixAndOnlyTheFirstVersion() {
        assertThat(Text.shortType("io.stowage.storage.changed.v1")).isEqualTo("storage.changed");
        assertThat(Text.shortType("io.stowage.backup.requested.v2")).isEqualTo("backup.requested.v2");
        assertThat(Text.shortType(null)).isEqualTo("?");
    }

    @Test
    void bytesAreShownInBinaryUnits() {
        assertThat(Text.bytes(512)).isEqualTo("512 B");
        assertThat(Text.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Text.bytes(16777216)).isEqualTo("16.0 MiB");
    }
}
