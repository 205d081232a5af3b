package io.stowage.events;

import java.util.List;
import java.util.Map;

/** The contract's Kafka topics and how each is cleaned up. */
public final class Topics {
    public static final String STORAGE = "stowage.storage";
    public static final String TOPOLOGY = "stowage.topology";
    public static final String BACKUP = "stowage.backup";
    public static final String RESTORE = "stowage.restore";
    public static final String RESYNC = "stowage.resync";
    public static final String CATALOG = "stowage.catalog";
    public static final String REJECTED = "stowage.rejected";

    /** One topic: its name and whether it is compacted (current state) or an audit log. */
    public record TopicSpec(String name, boolean compacted) {
        /** The topic configs to create it with: audit logs keep everything; state topics compact. */
        public Map<String, String> configs() {
            return compacted
                    ? Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0")
                    : Map.of("cleanup.policy", "delete", "retention.ms", "-1");
        }
    }

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(STORAGE, false),
            new TopicSpec(TOPOLOGY, true),
            new TopicSpec(BACKUP, false),
            new TopicSpec(RESTORE, false),
            new TopicSpec(RESYNC, false),
            new TopicSpec(CATALOG, true),
            new TopicSpec(REJECTED, false));

    private Topics() {
    }
}
