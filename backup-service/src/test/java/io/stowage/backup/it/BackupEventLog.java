package io.stowage.backup.it;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupProgress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/**
 * {@code stowage.backup} from now on, read on the test's own thread, each event with the partition and offset it has:
 * one cluster's events are on one partition, so offsets order them.
 */
final class BackupEventLog implements AutoCloseable {
    private final BusReader reader;
    private final List<BusReader.Read> reads = new ArrayList<>();

    BackupEventLog(String bootstrap) {
        reader = new BusReader(KafkaConnection.to(bootstrap), List.of(Topics.BACKUP), false);
    }

    /** Reads on until the condition holds; {@code what} names it when it does not in time. */
    void awaitUntil(String what, Duration timeout, BooleanSupplier done) {
        await(what).atMost(timeout).pollInSameThread().pollInterval(Duration.ofMillis(50)).until(() -> {
            reader.poll(Duration.ofMillis(200)).stream().filter(BusReader.Read::valid).forEach(reads::add);
            return done.getAsBoolean();
        });
    }

    /** Reads everything written up to now: what the log lacks after this, the topic lacks too. */
    void catchUp() {
        reader.readToEnd(Duration.ofSeconds(30)).stream().filter(BusReader.Read::valid).forEach(reads::add);
    }

    /** Waits until the request's backup is reading the database (a progress event with bytes read). */
    void awaitReading(Envelope<?> request, Duration timeout) {
        awaitUntil("backup " + request.id() + " reading the database", timeout, () -> reading(request));
    }

    /** Waits until the request has an outcome, completed or failed. */
    void awaitOutcome(Envelope<?> request, Duration timeout) {
        awaitUntil("an outcome of backup request " + request.id(), timeout, () -> answered(request));
    }

    boolean reading(Envelope<?> request) {
        return causedBy(request).stream().anyMatch(r -> r.event().data() instanceof BackupProgress p
                && p.bytesDone() > 0);
    }

    boolean answered(Envelope<?> request) {
        return count(request, EventType.BACKUP_COMPLETED) + count(request, EventType.BACKUP_FAILED) > 0;
    }

    /** The events the request caused, in the order read. */
    List<BusReader.Read> causedBy(Envelope<?> request) {
        return reads.stream().filter(r -> request.id().equals(r.event().causationId())).toList();
    }

    long count(Envelope<?> request, EventType type) {
        return causedBy(request).stream().filter(r -> r.event().type() == type).count();
    }

    /** The offset of the first event of this type the request caused. */
    long offsetOf(Envelope<?> request, EventType type) {
        return causedBy(request).stream().filter(r -> r.event().type() == type).mapToLong(r -> r.record().offset())
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.type() + " caused by " + request.id()));
    }

    /** The request's own record as read back: where the producer put it. */
    BusReader.Read recordOf(Envelope<?> request) {
        return reads.stream().filter(r -> r.event().id().equals(request.id())).findFirst()
                .orElseThrow(() -> new AssertionError("request " + request.id() + " not read back"));
    }

    @Override
    public void close() {
        reader.close();
    }
}
