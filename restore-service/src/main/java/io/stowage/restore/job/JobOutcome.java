package io.stowage.restore.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stowage.events.EventJson;

/**
 * How a restore Job ended, as it writes it to its container's termination message (at most 4 KiB, read by
 * restore-service from the Pod's status): the data directory it restored, or the step that failed and why.
 */
public record JobOutcome(boolean completed, String dataDirectory, String step, String reason) {
    /** Kubernetes keeps at most 4096 bytes of a termination message: the reason is cut to leave room. */
    static final int MAX_REASON = 3000;
    static final int MAX_BYTES = 4000;

    public static JobOutcome completed(String dataDirectory) {
        return new JobOutcome(true, dataDirectory, null, null);
    }

    public static JobOutcome failed(String step, String reason) {
        String r = reason == null ? "" : reason;
        JobOutcome outcome = new JobOutcome(false, null, step, r);
        // The limit is the encoded message's bytes: JSON escapes and multi-byte characters count.
        int keep = Math.min(r.length(), MAX_REASON);
        while (outcome.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES && keep > 0) {
            keep = Math.max(0, keep - Math.max(64, keep / 4));
            outcome = new JobOutcome(false, null, step, r.substring(0, keep) + " …");
        }
        return outcome;
    }

    public String toJson() {
        try {
            return EventJson.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The outcome in a termination message; null when the message is not one (a Job killed, out of memory). */
    public static JobOutcome parse(String message) {
        if (message == null || !message.strip().startsWith("{")) {
            return null;
        }
        try {
            return EventJson.MAPPER.readValue(message.strip(), JobOutcome.class);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
