package io.stowage.restore.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stowage.events.EventJson;
import io.stowage.events.spec.StorageSpec;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;

import java.time.Duration;
import java.util.LinkedHashMap;

/**
 * What a restore Job is given, in its environment ({@value #VARIABLE}) as JSON: the plan restore-service made and the
 * cluster's S3 storages (secret names only) in the order WAL is read from them. Nothing in it is a secret: the Job
 * reads the secrets it names from the Secrets mounted into it. A Job made again for the same restore is given the
 * same spec, read back from the one before: the same backup, target and claim.
 *
 * @param storages the cluster's storages the Job reads, the main first
 */
public record RestoreJobSpec(
        RestorePlan plan,
        LinkedHashMap<String, StorageSpec> storages,
        long promotionTimeoutSeconds,
        long stallTimeoutSeconds,
        int walFetchThreads) {

    /** The environment variable that carries the spec. */
    public static final String VARIABLE = "STOWAGE_RESTORE_JOB";

    public RestoreRun.Timings timings() {
        return new RestoreRun.Timings(Duration.ofSeconds(promotionTimeoutSeconds),
                Duration.ofSeconds(stallTimeoutSeconds), walFetchThreads);
    }

    public String toJson() {
        try {
            return EventJson.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the restore Job's spec", e);
        }
    }

    public static RestoreJobSpec fromJson(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException(VARIABLE + " is not set: a restore Job is made by restore-service, "
                    + "which gives it its plan there");
        }
        try {
            return EventJson.MAPPER.readValue(json, RestoreJobSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(VARIABLE + " is not a restore Job's spec: " + e.getOriginalMessage(), e);
        }
    }
}
