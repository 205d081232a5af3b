package io.stowage.backup.wal;

import io.stowage.events.data.WalLag;

import java.time.Duration;
import java.util.Optional;

/**
 * One {@code wal.lag.v1} decision: LAGGING or CAUGHT_UP, whether the queue was full, and how long WAL has waited.
 * {@link #next} is the rule that decides when archiving reports, from what it sees now and what it reported last.
 */
record LagReport(String state, boolean queueFull, long waitingSeconds) {

    /**
     * What the archiver sees now: segments waiting and how long the oldest has waited, whether the queue is full (the
     * receiver stopped), and how long PostgreSQL has failed to stream (empty while it streams).
     */
    record Observed(int queuedSegments, Duration oldestWait, boolean queueFull, Optional<Duration> receiveFailingFor) {
    }

    boolean lagging() {
        return WalLag.LAGGING.equals(state);
    }

    /**
     * The report to send now, if any. Archiving is behind when the queue is full, or the oldest segment or
     * PostgreSQL's failure has lasted longer than {@code lagAlert}; being behind is reported once, and once more
     * when the queue fills after that. Catching up is reported once nothing waits, the queue has room and PostgreSQL
     * streams again, and only after a LAGGING.
     */
    static Optional<LagReport> next(Observed now, Duration lagAlert, Optional<LagReport> previous) {
        boolean lagging = previous.map(LagReport::lagging).orElse(false);
        boolean reportedFull = lagging && previous.get().queueFull();
        boolean notReceiving = now.receiveFailingFor().map(d -> d.compareTo(lagAlert) > 0).orElse(false);
        boolean behind = now.queueFull() || notReceiving || now.oldestWait().compareTo(lagAlert) > 0;
        String state;
        if (behind && (!lagging || (now.queueFull() && !reportedFull))) {
            state = WalLag.LAGGING;
        } else if (lagging && now.queuedSegments() == 0 && !now.queueFull() && now.receiveFailingFor().isEmpty()) {
            state = WalLag.CAUGHT_UP;
        } else {
            return Optional.empty();
        }
        long waiting = Math.max(now.oldestWait().toSeconds(),
                now.receiveFailingFor().map(Duration::toSeconds).orElse(0L));
        return Optional.of(new LagReport(state, now.queueFull(), waiting));
    }
}
