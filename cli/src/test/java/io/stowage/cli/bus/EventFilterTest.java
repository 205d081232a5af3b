package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.cli.Records;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.ResyncRequested;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EventFilterTest {
    private final BusReader.Read resync = Records.read(Records.envelope("1", "1", new ResyncRequested("pg1", "b", null, null)));
    private final BusReader.Read configRejected = Records.read(Records.envelope("2", "2",
            new ConfigRejected("pg2", "f.yaml", 1, "spec", "why")));
    private final BusReader.Read eventRejected = Records.read(Records.envelope("3", "3",
            new EventRejected("pg1", "stowage.backup", 0, 1, null, null, "backup-service", "why")));
    private final BusReader.Read invalid = Records.raw("stowage.backup", 0, 2, "pg1",
            Map.of("ce_type", "io.stowage.backup.requested.v1"), "{}");

    @Test
    void byClusterMatchesTheKeyAlsoOfInvalidRecords() {
        EventFilter pg1 = new EventFilter("pg1", null);

        assertThat(pg1.matches(resync)).isTrue();
        assertThat(pg1.matches(invalid)).isTrue();
        assertThat(pg1.matches(configRejected)).isFalse();
    }

    @Test
    void byTypeMatchesAPartOfTheTypeName() {
        EventFilter rejected = new EventFilter(null, "rejected");

        assertThat(rejected.matches(configRejected)).isTrue();
        assertThat(rejected.matches(eventRejected)).isTrue();
        assertThat(rejected.matches(resync)).isFalse();
    }

    @Test
    void invalidRecordsMatchTheirTypeHeaderAndTheWordInvalid() {
        assertThat(new EventFilter(null, "invalid").matches(invalid)).isTrue();
        assertThat(new EventFilter(null, "backup.requested").matches(invalid)).isTrue();
        assertThat(new EventFilter(null, "invalid").matches(resync)).isFalse();
    }

    @Test
    void theTailReadsEveryAuditTopicAndTheTopologyOnlyWithState() {
        assertThat(EventTail.topics(false)).containsExactly("stowage.storage", "stowage.backup", "stowage.restore",
                "stowage.resync", "stowage.rejected");
        assertThat(EventTail.topics(true)).contains("stowage.topology").doesNotContain("stowage.catalog");
    }
}
