package io.stowage.cli.render;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.Records;
import io.stowage.cli.Topologies;
import io.stowage.cli.bus.LastRejections;
import io.stowage.cli.bus.WalStatus;
import io.stowage.cli.render.StatusReport.BusState;
import io.stowage.cli.render.StatusReport.ProcessRow;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.WalArchived;
import io.stowage.events.data.WalLag;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class StatusReportTest {
    private static final List<ProcessRow> PROCESSES = List.of(
            new ProcessRow("kafka", "running", "100", "127.0.0.1:9092"),
            new ProcessRow("config-service", "ready", "101", "http://127.0.0.1:8081"),
            new ProcessRow("backup-service", "not built", "-", "http://127.0.0.1:8082"));

    @Test
    void whenTheBrokerIsDownItSaysSoAndStillShowsTheProcesses() {
        List<String> lines = StatusReport.lines("/repo/.stowage", PROCESSES, KafkaConnection.to("127.0.0.1:9092"), false, null,
                ZoneOffset.UTC);

        assertThat(lines).contains(
                "  PROCESS         STATE      PID  ADDRESS",
                "  config-service  ready      101  http://127.0.0.1:8081",
                "  backup-service  not built  -    http://127.0.0.1:8082");
        assertThat(String.join("\n", lines)).contains("Kafka at 127.0.0.1:9092 (PLAINTEXT): not reachable")
                .doesNotContain("Applied topologies");
    }

    @Test
    void showsEachClustersTopologyAndTheNewestRejections() {
        BusState bus = new BusState(
                Map.of("pg1", Records.read(Records.envelope("t", "t", Topologies.applied("pg1", 2, "local", List.of())))),
                new LastRejections(Optional.of(Records.read(Records.envelope("r", "r",
                        new ConfigRejected("pg2", "/c/pg2.yaml", 1, "spec.storages", "two storages are main")))),
                        Optional.empty()),
                new WalStatus(Map.of("pg1", new WalStatus.Cluster(
                        Optional.of(Records.read(Records.envelope("w", "w", new WalArchived("pg1", "local", "00000001",
                                "000000010000000000000005", 16777216L, null)))),
                        Optional.of(Records.read(Records.envelope("l", "l", new WalLag("pg1", "local", WalLag.LAGGING,
                                12, 201326592L, 1073741824L, "000000010000000000000006", 94, true,
                                "storage 'local': No space left on device"))))))),
                null);

        List<String> lines = StatusReport.lines("/repo/.stowage", PROCESSES, KafkaConnection.to("127.0.0.1:9092"), true, bus,
                ZoneOffset.UTC);

        assertThat(lines).contains("Kafka at 127.0.0.1:9092 (PLAINTEXT): reachable",
                "  pg1      2         main  local    file:///srv/backups/local/stowage/pg1",
                "  config: 2026-11-22 09:30:01  pg2  refused /c/pg2.yaml document 1 at spec.storages: two storages are main",
                "  event:  none",
                "  pg1: last 000000010000000000000005 on local at 2026-11-22 09:30:01; LAGGING on local: 12 segments "
                        + "(192.0 MiB) waiting, the oldest for 94 s, queue full (PostgreSQL keeps the WAL meanwhile); "
                        + "last error: storage 'local': No space left on device");
    }

    @Test
    void aBusThatCannotBeReadIsExplained() {
        List<String> lines = StatusReport.lines("/h", PROCESSES, KafkaConnection.to("k:9092"), true,
                new BusState(null, null, null, "topic stowage.topology does not exist"), ZoneOffset.UTC);

        assertThat(lines).endsWith("Kafka at k:9092 (PLAINTEXT): reachable", "  topic stowage.topology does not exist");
    }
}
