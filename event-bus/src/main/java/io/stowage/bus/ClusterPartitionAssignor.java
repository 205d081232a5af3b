package io.stowage.bus;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gives each member of a consumer group whole partition NUMBERS: partition {@code n} of every topic the group reads
 * goes to the same member. The contract topics are keyed by cluster and have the same partition count, so a
 * cluster's records of every topic (its resync requests, its completed backups, its archived WAL) reach one instance:
 * the one that holds the cluster. Kafka's own cooperative assignor balances each topic apart, and could give a
 * cluster's facts to one instance and its resyncs to another.
 * <p>
 * Sticky and cooperative: a member keeps the numbers it holds while the group stays balanced (at most one more than
 * another member), and a number that moves is first revoked from its holder, then given to its new holder in the
 * next rebalance (Kafka's incremental protocol), so no two members hold a number at once.
 */
public final class ClusterPartitionAssignor implements ConsumerPartitionAssignor {
    public static final String NAME = "stowage-cluster";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<RebalanceProtocol> supportedProtocols() {
        return List.of(RebalanceProtocol.COOPERATIVE);
    }

    @Override
    public GroupAssignment assign(Cluster metadata, GroupSubscription group) {
        Map<String, Subscription> members = group.groupSubscription();
        List<String> order = new ArrayList<>(members.keySet());
        order.sort(Comparator.comparing((String m) -> members.get(m).groupInstanceId().orElse(m)));
        Map<String, Integer> counts = new HashMap<>();
        members.values().forEach(s -> s.topics().forEach(t -> {
            Integer n = metadata.partitionCountForTopic(t);
            counts.put(t, n == null ? 0 : n);
        }));
        int numbers = counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);

        Map<TopicPartition, String> holders = new HashMap<>();
        Map<Integer, String> holderOfNumber = new HashMap<>();
        for (String m : order) {
            for (TopicPartition p : members.get(m).ownedPartitions()) {
                holders.putIfAbsent(p, m);
                holderOfNumber.putIfAbsent(p.partition(), m);
            }
        }
        Map<String, Set<Integer>> target = numbersByMember(order, numbers, holderOfNumber);

        Map<String, List<TopicPartition>> assigned = new LinkedHashMap<>();
        order.forEach(m -> assigned.put(m, new ArrayList<>()));
        for (String topic : new TreeSet<>(counts.keySet())) {
            List<String> readers = order.stream().filter(m -> members.get(m).topics().contains(topic)).toList();
            for (int n = 0; n < counts.get(topic); n++) {
                TopicPartition p = new TopicPartition(topic, n);
                String to = ownerOf(target, n);
                if (!readers.contains(to)) {
                    // A member that does not read this topic (members subscribed differently, as in a rolling
                    // upgrade): the partition goes to its holder if it reads it, else to the reader with fewest.
                    String holder = holders.get(p);
                    to = holder != null && readers.contains(holder) ? holder : readers.stream()
                            .min(Comparator.comparing((String r) -> assigned.get(r).size())).orElse(null);
                }
                String holder = holders.get(p);
                // Held by another member: it revokes it in this round, and it comes here in the next.
                if (to != null && (holder == null || holder.equals(to))) {
                    assigned.get(to).add(p);
                }
            }
        }
        Map<String, Assignment> out = new LinkedHashMap<>();
        assigned.forEach((m, partitions) -> out.put(m, new Assignment(partitions)));
        return new GroupAssignment(out);
    }

    private static String ownerOf(Map<String, Set<Integer>> target, int n) {
        return target.entrySet().stream().filter(e -> e.getValue().contains(n)).map(Map.Entry::getKey).findFirst()
                .orElse(null);
    }

    /**
     * Which numbers each member holds after this round: as many as the others, give or take one; its own first.
     */
    static Map<String, Set<Integer>> numbersByMember(List<String> members, int numbers,
                                                     Map<Integer, String> holderOfNumber) {
        Map<String, Set<Integer>> target = new LinkedHashMap<>();
        members.forEach(m -> target.put(m, new TreeSet<>()));
        if (members.isEmpty()) {
            return target;
        }
        int base = numbers / members.size();
        int larger = numbers % members.size(); // how many members hold base + 1
        List<Integer> free = new ArrayList<>();
        for (int n = 0; n < numbers; n++) {
            String holder = holderOfNumber.get(n);
            if (holder != null && target.containsKey(holder) && target.get(holder).size() < base) {
                target.get(holder).add(n);
            } else {
                free.add(n);
            }
        }
        // A holder keeps one more of its own while members may hold base + 1.
        for (java.util.Iterator<Integer> i = free.iterator(); i.hasNext() && larger > 0; ) {
            int n = i.next();
            String holder = holderOfNumber.get(n);
            if (holder != null && target.containsKey(holder) && target.get(holder).size() == base) {
                target.get(holder).add(n);
                larger--;
                i.remove();
            }
        }
        for (int n : free) {
            String least = members.stream().filter(m -> target.get(m).size() < base)
                    .findFirst().orElse(null);
            if (least == null) {
                least = members.stream().filter(m -> target.get(m).size() == base).findFirst().orElseThrow();
            }
            target.get(least).add(n);
        }
        return target;
    }
}
