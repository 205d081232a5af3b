package io.stowage.bus;

import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetriesTest {
    private final Retries retries = Retries.standard();

    @Test
    void badInputIsNeverTriedAgain() {
        assertThat(retries.again(new Refusal("backup.requested.v1", "id-1", "no such cluster"), 1)).isFalse();
        assertThat(retries.again(new RejectedEventException("not yours"), 1)).isFalse();
    }

    @Test
    void theBrokerOrAStorageOutOfReachIsTriedAgainForAsLongAsItLasts() {
        assertThat(retries.again(new BusUnavailable("could not publish backup.completed.v1: timeout", null), 1000))
                .isTrue();
        assertThat(retries.again(new IllegalStateException("wrapped",
                new NotLeaderOrFollowerException("no leader")), 50)).isTrue();
        assertThat(retries.again(new UncheckedIOException(new IOException("connection reset")), 50)).isTrue();
    }

    @Test
    void contentThatDoesNotParseIsNotTransient_tryingAgainReadsTheSameBytes() {
        UncheckedIOException unreadable = new UncheckedIOException(new com.fasterxml.jackson.core.JsonParseException(
                null, "Unexpected character ('x')"));

        assertThat(Retries.isTransient(unreadable)).isFalse();
        assertThat(retries.again(unreadable, Retries.UNEXPECTED_ATTEMPTS)).isFalse();
    }

    @Test
    void anUnexpectedFailureIsTriedAFewTimesThenAnswered() {
        NullPointerException bug = new NullPointerException("plan");
        assertThat(retries.again(bug, 1)).isTrue();
        assertThat(retries.again(bug, Retries.UNEXPECTED_ATTEMPTS - 1)).isTrue();
        assertThat(retries.again(bug, Retries.UNEXPECTED_ATTEMPTS)).isFalse();
    }

    @Test
    void pausesDoubleUpToTheirCeiling() {
        assertThat(retries.pause(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(retries.pause(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(retries.pause(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(retries.pause(7)).isEqualTo(Duration.ofMinutes(1));
        assertThat(retries.pause(500)).isEqualTo(Duration.ofMinutes(1));
    }
}
