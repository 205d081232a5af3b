package io.stowage.backup.wal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WalReceiverConfirmTest {
    static final long SEGMENT = 16L << 20;

    @Test
    void whenEveryCompleteSegmentIsStoredTheReceivedPositionIsConfirmed() {
        // Segments 0..2 stored, segment 3 being received: the server keeps segment 3 whole for the slot anyway.
        assertThat(WalReceiver.confirmable(3 * SEGMENT, 3 * SEGMENT, 3 * SEGMENT + 4096)).isEqualTo(3 * SEGMENT + 4096);
    }

    @Test
    void whileACompleteSegmentWaitsToBeStoredOnlyWhatIsStoredIsConfirmed() {
        // Segment 3 complete and queued, segment 4 being received: confirming in 4 would let the server drop 3.
        assertThat(WalReceiver.confirmable(3 * SEGMENT, 4 * SEGMENT, 4 * SEGMENT + 4096)).isEqualTo(3 * SEGMENT);
    }

    @Test
    void nothingIsConfirmedBeforeTheFirstSegmentIsStored() {
        assertThat(WalReceiver.confirmable(-1, 3 * SEGMENT, 3 * SEGMENT + 4096)).isEqualTo(-1);
    }
}
