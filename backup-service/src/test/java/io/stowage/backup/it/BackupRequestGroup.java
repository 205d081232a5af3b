package io.stowage.backup.it;

import io.stowage.bus.KafkaConnection;
import io.stowage.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * The consumer group of the backup requests channel ({@code stowage-backup-service} on {@code stowage.backup}) as the
 * broker sees it: who is a member, which partitions each holds, what is committed.
 */
final class BackupRequestGroup implements AutoCloseable {
    static final String GROUP = "stowage-backup-service";
    /** backup-service's static member id: {@code stowage-<application>-<stowage.instance-id>}. */
    private static final String INSTANCE_PREFIX = "stowage-backup-service-";

    /** One member: the instance (its {@code stowage.instance-id}), the member id the broker gave it, its partitions. */
    record Member(String instance, String memberId, Set<Integer> partitions) {
    }

    /** The group at one moment: its state and its members by instance. */
    record Snapshot(GroupState state, Map<String, Member> members) {
        /** The instance holding a partition of {@code stowage.backup}, or null. */
        String ownerOf(int partition) {
            return members.values().stream().filter(m -> m.partitions().contains(partition)).map(Member::instance)
                    .findFirst().orElse(null);
        }

        /** Member ids by instance: equal in two snapshots when no member left, was evicted or rejoined between. */
        Map<String, String> memberIds() {
            return members.values().stream().collect(Collectors.toMap(Member::instance, Member::memberId,
                    (a, b) -> a, TreeMap::new));
        }
    }

    private final Admin admin;
    private final int partitions;

    BackupRequestGroup(String bootstrap) throws ExecutionException, InterruptedException {
        this.admin = Admin.create(KafkaConnection.to(bootstrap).admin("backup-concurrency-it"));
        this.partitions = admin.describeTopics(Set.of(Topics.BACKUP)).allTopicNames().get().get(Topics.BACKUP)
                .partitions().size();
    }

    /** Partitions of {@code stowage.backup}. */
    int partitions() {
        return partitions;
    }

    /** The partition a record keyed by {@code key} goes to with Kafka's default partitioner. */
    int partitionOf(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** {@code prefix} with the first counter that puts it on {@code partition}: a cluster name keyed there. */
    String keyOn(String prefix, int partition) {
        for (int i = 0; ; i++) {
            String key = prefix + "-" + i;
            if (partitionOf(key) == partition) {
                return key;
            }
        }
    }

    Snapshot describe() throws ExecutionException, InterruptedException, TimeoutException {
        ConsumerGroupDescription group = admin.describeConsumerGroups(Set.of(GROUP)).describedGroups().get(GROUP)
                .get(10, TimeUnit.SECONDS);
        Map<String, Member> members = new TreeMap<>();
        for (MemberDescription m : group.members()) {
            String instance = m.groupInstanceId().map(id -> id.startsWith(INSTANCE_PREFIX)
                    ? id.substring(INSTANCE_PREFIX.length()) : id).orElse(m.consumerId());
            Set<Integer> held = m.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(Topics.BACKUP)).map(TopicPartition::partition)
                    .collect(Collectors.toCollection(TreeSet::new));
            members.put(instance, new Member(instance, m.consumerId(), held));
        }
        return new Snapshot(group.groupState(), members);
    }

    /**
     * Waits until the group is stable with exactly these instances as members (a static member stopped or killed
     * stays a member until its session times out) and every partition is held by one of them.
     */
    Snapshot awaitStable(Set<String> instances, Duration timeout) {
        return await("group " + GROUP + " stable with exactly " + instances).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(this::describe,
                s -> s.state() == GroupState.STABLE && s.members().keySet().equals(instances)
                        && s.members().values().stream().mapToInt(m -> m.partitions().size()).sum() == partitions
                        && s.members().values().stream().flatMap(m -> m.partitions().stream()).distinct().count()
                        == partitions);
    }

    /** The group's committed offset on a partition (the next record it will read there), or -1. */
    long committed(int partition) throws ExecutionException, InterruptedException {
        OffsetAndMetadata offset = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition(Topics.BACKUP, partition));
        return offset == null ? -1 : offset.offset();
    }

    @Override
    public void close() {
        admin.close();
    }
}
