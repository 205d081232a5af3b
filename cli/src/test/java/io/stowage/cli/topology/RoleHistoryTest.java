package io.stowage.cli.topology;

import io.stowage.events.data.TopologyApplied;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stowage.cli.Topologies.applied;
import static org.assertj.core.api.Assertions.assertThat;

class RoleHistoryTest {

    @Test
    void mainFirstThenProfilesWithTypeLocationAndSince() {
        List<TopologyApplied> history = List.of(
                applied("pg1", 1, "s3-us-west", List.of("local")),
                applied("pg1", 2, "s3-us-west", List.of("local", "dr")),
                applied("pg1", 3, "local", List.of("dr", "s3-us-west")));

        assertThat(RoleHistory.rows("pg1", history)).containsExactly(
                new StorageRow("local", StorageRole.MAIN, "filesystem", "file:///srv/backups/local/stowage/pg1",
                        new Since(3, true)),
                new StorageRow("dr", StorageRole.PROFILE, "filesystem", "file:///srv/backups/dr/stowage/pg1",
                        new Since(2, true)),
                new StorageRow("s3-us-west", StorageRole.PROFILE, "s3", "s3://backups/stowage/pg1", new Since(3, true)));
    }

    @Test
    void aRoleHeldSinceTheFirstRevisionIsExact() {
        List<TopologyApplied> history = List.of(
                applied("pg1", 1, "a", List.of("b")),
                applied("pg1", 2, "a", List.of("b")));

        assertThat(RoleHistory.since("a", history)).isEqualTo(new Since(1, true));
    }

    @Test
    void whenCompactionRemovedEarlierRevisionsSinceIsAnUpperBound() {
        List<TopologyApplied> history = List.of(
                applied("pg1", 5, "a", List.of("b")),
                applied("pg1", 6, "b", List.of("a")));

        assertThat(RoleHistory.since("a", List.of(history.get(0)))).isEqualTo(new Since(5, false));
        assertThat(RoleHistory.since("b", history)).isEqualTo(new Since(6, true));
    }

    @Test
    void aGapBeforeTheChangeMakesItAnUpperBoundToo() {
        List<TopologyApplied> history = List.of(
                applied("pg1", 2, "a", List.of("b")),
                applied("pg1", 5, "b", List.of("a")));

        assertThat(RoleHistory.since("b", history)).isEqualTo(new Since(5, false));
        assertThat(new Since(5, false).describe()).isEqualTo("revision 5 or earlier");
    }

    @Test
    void noHistoryNoRows() {
        assertThat(RoleHistory.rows("pg1", List.of())).isEmpty();
    }
}
