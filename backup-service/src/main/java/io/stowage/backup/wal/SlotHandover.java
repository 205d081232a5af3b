package io.stowage.backup.wal;

import io.stowage.postgres.WalSegments;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Hands the cluster's slot over to whoever archives next (a restore, another instance): a pause first archives
 * everything PostgreSQL has written; every stop then tells the idle slot what is durable.
 */
final class SlotHandover {
    private static final Logger LOG = Logger.getLogger(SlotHandover.class);

    private final Primary primary;
    private final DurableWal durable;

    SlotHandover(Primary primary, DurableWal durable) {
        this.primary = primary;
        this.durable = durable;
    }

    /**
     * Ends the current segment, waits until the WAL up to its end is durable, then stops archiving with
     * {@code stop}. When PostgreSQL does not answer, stops with what is already stored.
     */
    ClusterArchiver.PauseResult pause(Duration timeout, Runnable stop) throws InterruptedException {
        long target = -1;
        String unreachable = null;
        try (WalSource source = primary.connect()) {
            long segmentSize = source.segmentSize();
            long end = source.switchWal();
            target = end % segmentSize == 0 ? end : WalSegments.segmentStart(end, segmentSize) + segmentSize;
        } catch (SQLException e) {
            unreachable = e.getMessage();
        }
        boolean complete = target >= 0 && durable.awaitDurable(target, timeout);
        stop.run();
        String archived = durable.lastArchived();
        if (complete) {
            return new ClusterArchiver.PauseResult(true, "archiving paused; WAL complete up to "
                    + WalSegments.formatLsn(target) + "; " + archived);
        }
        String why = unreachable != null ? "PostgreSQL did not answer (" + unreachable + ")"
                : "the WAL up to " + WalSegments.formatLsn(target) + " was not stored within " + timeout;
        return new ClusterArchiver.PauseResult(false, "archiving paused; " + why + "; " + archived
                + "; later WAL stays in pg_wal for slot " + primary.slot());
    }

    /**
     * Tells the slot, now idle, what is durable: feedback travels with the stream at most once a second, so the last
     * segments stored before a stop would otherwise be streamed and stored once more by the next archiver.
     */
    void advanceSlot() {
        long end = durable.end();
        if (end <= 0) {
            return;
        }
        try (WalSource source = primary.connect()) {
            // The server notices the cut stream within moments; until then the slot is still active.
            for (int attempt = 1; ; attempt++) {
                try {
                    source.advanceSlot(primary.slot(), end);
                    return;
                } catch (SQLException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                    Thread.sleep(200);
                }
            }
        } catch (SQLException e) {
            LOG.debugf("cluster %s: slot %s not advanced on stop (%s); the next archiver stores a few segments again",
                    primary.cluster(), primary.slot(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
