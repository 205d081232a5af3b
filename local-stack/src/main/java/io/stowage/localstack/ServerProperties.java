package io.stowage.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The server.properties of a one-node KRaft broker tuned for tests and a local stack. */
final class ServerProperties {
    private ServerProperties() {
    }

    /**
     * Written on every start, because the ports may change from one start to the next; readable by its owner only
     * when the listener settings hold a secret (a keystore password, the broker's own SCRAM login).
     */
    static void write(Path file, Path dataDir, int controllerPort, Map<String, String> listeners, boolean secret)
            throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        // Broker and controller in one process; a static voter list needs no dynamic-quorum bootstrapping.
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.putAll(listeners);
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        // Topics come from TopicSetup, as in production: a misspelt topic must fail, not appear.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // One node: every replication factor and ISR minimum must be 1, or the
        // internal topics (offsets, transactions) are never created and clients hang.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // The defaults (50 partitions each) make the first consumer group and the first
        // transactional producer wait seconds for partition creation.
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The cleaner's default 128 MiB buffer is a quarter of the broker's heap; compacted topics here are tiny.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));

        String text = p.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n",
                        "# Written by io.stowage.localstack.KafkaBroker on every start: edits are overwritten.\n", "\n"));
        if (secret) {
            LocalFiles.writePrivate(file, text);
        } else {
            Files.writeString(file, text);
        }
    }
}
