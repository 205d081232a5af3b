package io.stowage.backup.wal;

import io.stowage.events.data.WalLag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LagReportTest {
    private static final Duration ALERT = Duration.ofSeconds(60);
    private static final Optional<LagReport> NONE = Optional.empty();
    private static final Optional<LagReport> LAGGING = Optional.of(new LagReport(WalLag.LAGGING, false, 61));
    private static final Optional<LagReport> LAGGING_FULL = Optional.of(new LagReport(WalLag.LAGGING, true, 5));
    private static final Optional<LagReport> CAUGHT_UP = Optional.of(new LagReport(WalLag.CAUGHT_UP, false, 0));

    private static LagReport.Observed queue(int segments, long oldestWaitSeconds) {
        return new LagReport.Observed(segments, Duration.ofSeconds(oldestWaitSeconds), false, Optional.empty());
    }

    private static LagReport.Observed full(int segments, long oldestWaitSeconds) {
        return new LagReport.Observed(segments, Duration.ofSeconds(oldestWaitSeconds), true, Optional.empty());
    }

    private static LagReport.Observed receiveFailing(int segments, long oldestWaitSeconds, long failingSeconds) {
        return new LagReport.Observed(segments, Duration.ofSeconds(oldestWaitSeconds), false,
                Optional.of(Duration.ofSeconds(failingSeconds)));
    }

    @Test
    void saysNothingWhileArchivingKeepsUp() {
        assertThat(LagReport.next(queue(0, 0), ALERT, NONE)).isEmpty();
        assertThat(LagReport.next(queue(3, 59), ALERT, NONE)).isEmpty();
        assertThat(LagReport.next(queue(3, 60), ALERT, NONE)).as("only a wait longer than the alert lags").isEmpty();
        assertThat(LagReport.next(queue(0, 0), ALERT, CAUGHT_UP)).isEmpty();
    }

    @Test
    void reportsLaggingOnceTheOldestSegmentWaitsLongerThanTheAlert() {
        assertThat(LagReport.next(queue(4, 61), ALERT, NONE))
                .contains(new LagReport(WalLag.LAGGING, false, 61));
        assertThat(LagReport.next(queue(4, 75), ALERT, CAUGHT_UP)).as("lagging again after catching up")
                .contains(new LagReport(WalLag.LAGGING, false, 75));
    }

    @Test
    void reportsLaggingOnlyOnceWhileBehind() {
        assertThat(LagReport.next(queue(9, 300), ALERT, LAGGING)).isEmpty();
        assertThat(LagReport.next(receiveFailing(9, 300, 120), ALERT, LAGGING)).isEmpty();
    }

    @Test
    void aFullQueueLagsAtOnceAndIsReportedOnceMoreWhenItFillsAfterALaggingReport() {
        assertThat(LagReport.next(full(2, 1), ALERT, NONE)).as("full lags whatever the wait")
                .contains(new LagReport(WalLag.LAGGING, true, 1));
        assertThat(LagReport.next(full(8, 400), ALERT, LAGGING)).as("the queue filled since the last report")
                .contains(new LagReport(WalLag.LAGGING, true, 400));
        assertThat(LagReport.next(full(8, 500), ALERT, LAGGING_FULL)).as("still full: said already").isEmpty();
    }

    @Test
    void aQueueWithRoomAgainButStillBehindStaysLaggingWithoutAReport() {
        assertThat(LagReport.next(queue(5, 200), ALERT, LAGGING_FULL)).isEmpty();
    }

    @Test
    void postgresFailingLongerThanTheAlertLagsAndCountsAsTheWait() {
        assertThat(LagReport.next(receiveFailing(0, 0, 59), ALERT, NONE)).isEmpty();
        assertThat(LagReport.next(receiveFailing(0, 0, 90), ALERT, NONE))
                .contains(new LagReport(WalLag.LAGGING, false, 90));
        assertThat(LagReport.next(receiveFailing(2, 120, 90), ALERT, NONE)).as("the longer of the two waits")
                .contains(new LagReport(WalLag.LAGGING, false, 120));
    }

    @Test
    void reportsCaughtUpOnceNothingWaitsTheQueueHasRoomAndPostgresStreams() {
        assertThat(LagReport.next(queue(0, 0), ALERT, LAGGING))
                .contains(new LagReport(WalLag.CAUGHT_UP, false, 0));
        assertThat(LagReport.next(queue(0, 0), ALERT, LAGGING_FULL))
                .contains(new LagReport(WalLag.CAUGHT_UP, false, 0));
    }

    @Test
    void doesNotReportCaughtUpWhileSegmentsWaitOrPostgresFails() {
        assertThat(LagReport.next(queue(1, 10), ALERT, LAGGING)).as("a segment still waits").isEmpty();
        assertThat(LagReport.next(receiveFailing(0, 0, 5), ALERT, LAGGING)).as("PostgreSQL fails, not long yet")
                .isEmpty();
    }

    @Test
    void theLastReportSaysWhetherArchivingLags() {
        assertThat(LAGGING.get().lagging()).isTrue();
        assertThat(CAUGHT_UP.get().lagging()).isFalse();
    }
}
