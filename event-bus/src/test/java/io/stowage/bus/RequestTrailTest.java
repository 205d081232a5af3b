package io.stowage.bus;

import io.stowage.events.Envelope;
import io.stowage.events.EventType;
import io.stowage.events.data.BackupFailed;
import io.stowage.events.data.BackupProgress;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.BackupStarted;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;

import static io.stowage.bus.RequestTrail.State.ANSWERED;
import static io.stowage.bus.RequestTrail.State.RUNNING_ELSEWHERE;
import static io.stowage.bus.RequestTrail.State.TO_RUN;
import static org.assertj.core.api.Assertions.assertThat;

class RequestTrailTest {
    private static final RequestTrail.Kinds BACKUP = new RequestTrail.Kinds(
            Set.of(EventType.BACKUP_COMPLETED, EventType.BACKUP_FAILED),
            Set.of(EventType.BACKUP_STARTED, EventType.BACKUP_PROGRESS));
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Envelope<BackupRequested> REQUEST = Envelope.root("/test",
            new BackupRequested("pg1", List.of("main"), "b1"));

    @Test
    void aRequestNobodyAnsweredOrStartedIsToRun() {
        assertThat(RequestTrail.state(List.of(), BACKUP, LEASE, NOW)).isEqualTo(TO_RUN);
    }

    @Test
    void anOutcomeOnTheBusMeansNothingRunsAgain() {
        assertThat(RequestTrail.state(List.of(at(started(), 100), at(failed(), 90)), BACKUP, LEASE, NOW))
                .isEqualTo(ANSWERED);
    }

    @Test
    void freshHeartbeatsMeanAnotherInstanceRunsIt() {
        assertThat(RequestTrail.state(List.of(at(started(), 600), at(progress(), 10)), BACKUP, LEASE, NOW))
                .isEqualTo(RUNNING_ELSEWHERE);
    }

    @Test
    void aRunnerSilentForLongerThanTheLeaseIsTakenOver() {
        assertThat(RequestTrail.state(List.of(at(started(), 600), at(progress(), 31)), BACKUP, LEASE, NOW))
                .isEqualTo(TO_RUN);
    }

    private static StowageEvent started() {
        return new BackupStarted("pg1", "b1", List.of("main"));
    }

    private static StowageEvent progress() {
        return new BackupProgress("pg1", "b1", 10, 100L, 5L);
    }

    private static StowageEvent failed() {
        return new BackupFailed("pg1", "b1", List.of("main"), "disk full");
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Envelope<StowageEvent> at(StowageEvent data, int secondsAgo) {
        Envelope<?> e = Envelope.causedBy(REQUEST, "/test", data);
        return new Envelope(e.id(), e.source(), e.type(), OffsetDateTime.ofInstant(NOW.minusSeconds(secondsAgo),
                ZoneOffset.UTC), e.subject(), e.correlationId(), e.causationId(), data);
    }
}
