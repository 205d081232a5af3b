package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.EventType;
import io.stowage.events.Topics;

import java.util.Comparator;
import java.util.Optional;

/** The newest refusals on the bus: of a config ({@code config.rejected.v1}) and of an event ({@code event.rejected.v1}). */
public record LastRejections(Optional<BusReader.Read> config, Optional<BusReader.Read> event) {

    /** Newest by event time; between equal times, the later record. */
    static final Comparator<BusReader.Read> AGE = Comparator
            .comparing((BusReader.Read r) -> r.event().time().toInstant())
            .thenComparingLong(r -> r.record().timestamp());

    /** Scans both audit topics to their end: fine for a local stack; a long-lived cluster would keep a summary. */
    public static LastRejections read(KafkaConnection kafka) {
        return new LastRejections(newest(kafka, Topics.STORAGE, EventType.CONFIG_REJECTED),
                newest(kafka, Topics.REJECTED, EventType.EVENT_REJECTED));
    }

    private static Optional<BusReader.Read> newest(KafkaConnection kafka, String topic, EventType type) {
        BusReader.Read[] newest = new BusReader.Read[1];
        TopicScan.scan(kafka, topic, TopicScan.DEFAULT_TIMEOUT, read -> {
            if (read.valid() && read.event().type() == type
                    && (newest[0] == null || AGE.compare(read, newest[0]) >= 0)) {
                newest[0] = read;
            }
        });
        return Optional.ofNullable(newest[0]);
    }
}
