package io.stowage.cli.render;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.cli.Topologies;
import io.stowage.cli.topology.Since;
import io.stowage.cli.topology.StorageRole;
import io.stowage.cli.topology.StorageRow;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class TopologyTableTest {

    @Test
    void eachClusterShowsItsMainThenItsProfilesWithSecretFreeLocations() {
        Map<String, BusReader.Read> byCluster = new TreeMap<>();
        byCluster.put("pg1", Records.read(Records.envelope("id-1", "id-1",
                Topologies.applied("pg1", 7, "s3-us-west", List.of("local")))));
        byCluster.put("pg2", Records.read(Records.envelope("id-2", "id-2",
                Topologies.applied("pg2", 1, "local", List.of()))));

        assertThat(TopologyTable.clusters(byCluster)).containsExactly(
                "CLUSTER  REVISION  ROLE     STORAGE     LOCATION",
                "pg1      7         main     s3-us-west  s3://backups/stowage/pg1",
                "                   profile  local       file:///srv/backups/local/stowage/pg1",
                "pg2      1         main     local       file:///srv/backups/local/stowage/pg2");
        assertThat(String.join("\n", TopologyTable.clusters(byCluster))).doesNotContain("s3-creds");
    }

    @Test
    void anInvalidTopologyRecordSaysWhy() {
        Map<String, BusReader.Read> byCluster = Map.of("pg1",
                Records.raw("stowage.topology", 0, 3, "pg1", Map.of("ce_specversion", "0.3"), "{}"));

        assertThat(TopologyTable.clusters(byCluster)).containsExactly(
                "CLUSTER  REVISION  ROLE     STORAGE  LOCATION",
                "pg1      -         INVALID  -        unsupported CloudEvents specversion 0.3");
    }

    @Test
    void theStorageListShowsRoleTypeLocationAndSince() {
        List<String> lines = TopologyTable.storages(List.of(
                new StorageRow("s3-us-west", StorageRole.MAIN, "s3", "s3://backups/stowage/pg1", new Since(3, true)),
                new StorageRow("local", StorageRole.PROFILE, "filesystem", "file:///srv/backups/stowage/pg1",
                        new Since(2, false))));

        assertThat(lines).containsExactly(
                "NAME        ROLE     TYPE        LOCATION                         SINCE",
                "s3-us-west  main     s3          s3://backups/stowage/pg1         revision 3",
                "local       profile  filesystem  file:///srv/backups/stowage/pg1  revision 2 or earlier");
    }
}
