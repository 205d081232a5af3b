package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts one poll's records in the order a person expects: a poll hands them over partition by partition, so a
 * fan-out across topics would show its resync before its main change. Merging by record time, partition
 * queues kept intact, interleaves topics and never reorders one cluster's records within a topic.
 */
final class BatchOrder {
    private BatchOrder() {
    }

    static List<BusReader.Read> byTime(List<BusReader.Read> batch) {
        Map<TopicPartition, Deque<BusReader.Read>> queues = new LinkedHashMap<>();
        for (BusReader.Read read : batch) {
            queues.computeIfAbsent(new TopicPartition(read.record().topic(), read.record().partition()),
                    tp -> new ArrayDeque<>()).add(read);
        }
        Comparator<Deque<BusReader.Read>> headTime = Comparator.comparingLong(q -> q.peekFirst().record().timestamp());
        List<BusReader.Read> ordered = new ArrayList<>(batch.size());
        while (!queues.isEmpty()) {
            // Ties go to the queue met first, which keeps the poll's own order when times are equal.
            Deque<BusReader.Read> next = queues.values().stream().min(headTime).orElseThrow();
            ordered.add(next.pollFirst());
            queues.values().removeIf(Deque::isEmpty);
        }
        return ordered;
    }
}
