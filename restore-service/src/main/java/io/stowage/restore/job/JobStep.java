package io.stowage.restore.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stowage.events.EventJson;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;

import java.util.Optional;

/** One step as a restore Job writes it to its output, one JSON object per line after {@link RestoreJob#STEP_MARK}. */
public record JobStep(String step, String status, String detail) {

    static JobStep of(RestoreStepName step, RestoreStepStatus status, String detail) {
        return new JobStep(step.wireName(), status.wireName(), detail);
    }

    String toJson() {
        try {
            return EventJson.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The step a line of the Job's output reports; empty for any other line, or a step this version does not know. */
    public static Optional<JobStep> parse(String line) {
        int at = line.indexOf(RestoreJob.STEP_MARK);
        if (at < 0) {
            return Optional.empty();
        }
        try {
            JobStep s = EventJson.MAPPER.readValue(line.substring(at + RestoreJob.STEP_MARK.length()).strip(),
                    JobStep.class);
            return RestoreStepName.fromWireName(s.step()).isPresent()
                    && RestoreStepStatus.fromWireName(s.status()).isPresent() ? Optional.of(s) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    public RestoreStepName name() {
        return RestoreStepName.fromWireName(step).orElseThrow();
    }

    public RestoreStepStatus stepStatus() {
        return RestoreStepStatus.fromWireName(status).orElseThrow();
    }
}
