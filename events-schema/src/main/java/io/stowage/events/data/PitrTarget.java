package io.stowage.events.data;

import java.time.OffsetDateTime;

/** A point-in-time recovery target: a time or an LSN, exactly one. */
public record PitrTarget(OffsetDateTime time, String lsn) {
}
