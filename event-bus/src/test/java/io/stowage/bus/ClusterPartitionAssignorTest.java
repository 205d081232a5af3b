package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Assignment;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.GroupSubscription;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterPartitionAssignorTest {
    static final List<String> TOPICS = List.of("stowage.resync", "stowage.backup", "stowage.storage");
    final ClusterPartitionAssignor assignor = new ClusterPartitionAssignor();

    @Test
    void everyNumberGoesWholeToOneMember_balanced() {
        Map<String, Assignment> a = assign(metadata(12), members(Map.of("a", List.of(), "b", List.of(),
                "c", List.of())));
        assertThat(a.values()).allSatisfy(x -> assertThat(x.partitions()).hasSize(12));
        assertCoPartitioned(a, 12);
    }

    @Test
    void aJoiningMemberTakesNumbersOnlyOnceTheirHolderRevokedThem_andTheOthersKeepTheirs() {
        Cluster metadata = metadata(6);
        Map<String, Assignment> two = assign(metadata, members(Map.of("a", List.of(), "b", List.of())));
        // c joins: the first round takes numbers from a and b, gives c nothing they still hold.
        Map<String, List<TopicPartition>> owned = new HashMap<>();
        two.forEach((m, x) -> owned.put(m, x.partitions()));
        owned.put("c", List.of());
        Map<String, Assignment> first = assign(metadata, members(owned));
        assertThat(first.get("c").partitions()).isEmpty();
        assertThat(numbers(first.get("a"))).isSubsetOf(numbers(two.get("a"))).hasSize(2);
        assertThat(numbers(first.get("b"))).isSubsetOf(numbers(two.get("b"))).hasSize(2);
        // Next round, with what a and b hold now: c gets the two freed numbers, whole.
        owned.put("a", first.get("a").partitions());
        owned.put("b", first.get("b").partitions());
        Map<String, Assignment> second = assign(metadata, members(owned));
        assertThat(second.get("a").partitions()).isEqualTo(first.get("a").partitions());
        assertThat(second.get("b").partitions()).isEqualTo(first.get("b").partitions());
        assertThat(second.get("c").partitions()).hasSize(6);
        assertCoPartitioned(second, 6);
    }

    @Test
    void aMemberThatLeftHasItsNumbersSpreadOverTheRest_andASplitNumberIsMadeWhole() {
        Cluster metadata = metadata(3);
        // As Kafka's own assignor could leave it: number 2 of one topic on b, of the others on a.
        Map<String, List<TopicPartition>> owned = new HashMap<>();
        owned.put("a", List.of(new TopicPartition("stowage.resync", 0), new TopicPartition("stowage.backup", 0),
                new TopicPartition("stowage.storage", 0), new TopicPartition("stowage.resync", 2)));
        owned.put("b", List.of(new TopicPartition("stowage.backup", 2), new TopicPartition("stowage.storage", 2)));
        Map<String, Assignment> first = assign(metadata, members(owned));
        Map<String, List<TopicPartition>> now = new HashMap<>();
        first.forEach((m, x) -> now.put(m, x.partitions()));
        Map<String, Assignment> second = assign(metadata, members(now));
        assertCoPartitioned(second, 3);
        assertThat(second.values().stream().mapToInt(x -> x.partitions().size()).sum()).isEqualTo(9);
    }

    /** Why an assignor of our own: Kafka's cooperative one balances partitions, and so splits a number. */
    @Test
    void kafkasCooperativeStickyAssignorSplitsAClustersPartitionsOverTwoMembers_oursKeepsThemWhole() {
        Cluster metadata = metadata(3);
        Map<String, Subscription> two = members(Map.of("a", List.of(), "b", List.of()));
        Map<String, Assignment> kafkas = new CooperativeStickyAssignor().assign(metadata, new GroupSubscription(two))
                .groupAssignment();
        assertThat(kafkas.values().stream().map(x -> x.partitions().size()).toList())
                .containsExactlyInAnyOrder(5, 4);
        assertThat(numbers(kafkas.get("a"))).containsAnyElementsOf(numbers(kafkas.get("b")));

        Map<String, Assignment> ours = assign(metadata, two);
        assertThat(ours.values().stream().map(x -> x.partitions().size()).toList())
                .containsExactlyInAnyOrder(6, 3);
        assertCoPartitioned(ours, 3);
    }

    @Test
    void aMemberThatDoesNotReadATopicLeavesItsPartitionsToOneThatDoes() {
        Map<String, Subscription> members = new LinkedHashMap<>();
        Subscription a = new Subscription(TOPICS, null, List.of());
        a.setGroupInstanceId(Optional.of("instance-a"));
        // b runs an older release that reads two of the three topics.
        Subscription b = new Subscription(TOPICS.subList(0, 2), null, List.of());
        b.setGroupInstanceId(Optional.of("instance-b"));
        members.put("a", a);
        members.put("b", b);
        Map<String, Assignment> out = assign(metadata(4), members);
        Set<TopicPartition> all = new java.util.HashSet<>();
        out.values().forEach(x -> all.addAll(x.partitions()));
        assertThat(all).hasSize(12);
        assertThat(out.get("b").partitions()).noneMatch(p -> p.topic().equals(TOPICS.get(2)));
    }

    @Test
    void numbersAreDealtAsEvenlyAsTheyGo() {
        Map<String, java.util.Set<Integer>> t = ClusterPartitionAssignor.numbersByMember(List.of("a", "b", "c"), 7,
                Map.of(0, "a", 1, "a", 2, "a", 3, "a", 4, "a", 5, "b", 6, "b"));
        assertThat(t.values().stream().map(java.util.Set::size).toList()).containsExactly(3, 2, 2);
        assertThat(t.get("a")).containsExactly(0, 1, 2);
        assertThat(t.get("b")).containsExactly(5, 6);
        assertThat(t.get("c")).containsExactly(3, 4);
    }

    Map<String, Assignment> assign(Cluster metadata, Map<String, Subscription> members) {
        return assignor.assign(metadata, new GroupSubscription(members)).groupAssignment();
    }

    static Set<Integer> numbers(Assignment a) {
        return a.partitions().stream().map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every partition is assigned to at most one member, and partition n of every topic to the same one. */
    static void assertCoPartitioned(Map<String, Assignment> a, int partitions) {
        Map<Integer, String> holder = new HashMap<>();
        a.forEach((m, x) -> x.partitions().forEach(p -> {
            String before = holder.putIfAbsent(p.partition(), m);
            assertThat(before == null || before.equals(m)).as("number %d held by %s and %s", p.partition(), before, m)
                    .isTrue();
        }));
        assertThat(holder).hasSize(partitions);
        a.values().forEach(x -> numbers(x).forEach(n -> assertThat(x.partitions())
                .containsAll(TOPICS.stream().map(t -> new TopicPartition(t, n)).toList())));
    }

    static Map<String, Subscription> members(Map<String, List<TopicPartition>> owned) {
        Map<String, Subscription> out = new LinkedHashMap<>();
        new TreeSet<>(owned.keySet()).forEach(m -> {
            Subscription s = new Subscription(TOPICS, null, owned.get(m));
            s.setGroupInstanceId(Optional.of("instance-" + m));
            out.put(m, s);
        });
        return out;
    }

    static Cluster metadata(int partitions) {
        Node node = new Node(0, "localhost", 9092);
        List<PartitionInfo> infos = new ArrayList<>();
        for (String t : TOPICS) {
            for (int p = 0; p < partitions; p++) {
                infos.add(new PartitionInfo(t, p, node, new Node[]{node}, new Node[]{node}));
            }
        }
        return new Cluster("test", List.of(node), infos, Set.of(), Set.of());
    }
}
