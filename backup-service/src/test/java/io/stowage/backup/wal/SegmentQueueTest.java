package io.stowage.backup.wal;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentQueueTest {
    private static final long SEGMENT = 16L << 20;

    private static SegmentQueue.Segment segment(int n, Instant received) {
        return new SegmentQueue.Segment("00000001000000000000000" + n, 1, Path.of("spool", "s" + n), SEGMENT,
                (n + 1) * SEGMENT, received);
    }

    @Test
    void isBoundedInBytesButAlwaysTakesOneSegment() {
        SegmentQueue queue = new SegmentQueue(3 * SEGMENT);
        assertThat(queue.full(SEGMENT)).isFalse();
        queue.add(segment(1, Instant.now()));
        queue.add(segment(2, Instant.now()));
        assertThat(queue.full(SEGMENT)).isFalse();
        queue.add(segment(3, Instant.now()));
        assertThat(queue.full(SEGMENT)).isTrue();

        assertThat(new SegmentQueue(SEGMENT / 2).full(SEGMENT)).as("an empty queue takes a segment").isFalse();
    }

    @Test
    void drainsInWalOrderAndReportsTheOldestWait() throws InterruptedException {
        SegmentQueue queue = new SegmentQueue(4 * SEGMENT);
        Instant now = Instant.now();
        SegmentQueue.Segment first = segment(1, now.minusSeconds(40));
        queue.add(first);
        queue.add(segment(2, now.minusSeconds(5)));

        SegmentQueue.Snapshot snap = queue.snapshot();
        assertThat(snap.segments()).isEqualTo(2);
        assertThat(snap.bytes()).isEqualTo(2 * SEGMENT);
        assertThat(snap.oldestWait(now)).isEqualTo(Duration.ofSeconds(40));

        assertThat(queue.peek(Duration.ZERO)).containsSame(first);
        queue.remove(first);
        assertThat(queue.peek(Duration.ZERO)).map(SegmentQueue.Segment::name).contains("000000010000000000000002");
        assertThat(queue.awaitRoom(Duration.ZERO)).as("at half the limit").isTrue();
    }

    @Test
    void waitsForRoomUntilHalfDrained() throws InterruptedException {
        SegmentQueue queue = new SegmentQueue(2 * SEGMENT);
        queue.add(segment(1, Instant.now()));
        queue.add(segment(2, Instant.now()));
        assertThat(queue.awaitRoom(Duration.ofMillis(20))).isFalse();
        assertThat(queue.clear()).hasSize(2);
        assertThat(queue.awaitRoom(Duration.ZERO)).isTrue();
        assertThat(queue.peek(Duration.ofMillis(10))).isEmpty();
    }
}
