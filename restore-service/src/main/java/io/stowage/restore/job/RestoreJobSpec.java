package io.stowage.restore.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.stowage.events.Envelope;
import io.stowage.events.EventJson;
import io.stowage.events.spec.StorageSpec;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.steps.RestoreRun;

import java.time.Duration;
import java.util.LinkedHashMap;

/**
 * What a restore Job is given, in its environment ({@value #VARIABLE}) as JSON: the plan restore-service made, the
 * cluster's storages (secret names only) in the order WAL is read from them, and the request its step events answer.
 * Nothing in it is a secret: the Job reads the secrets it names from the Secrets mounted into it.
 *
 * @param source   the CloudEvents source of the step events
 * @param request  the restore request: the step events are caused by it, in its correlation and trace
 * @param storages the cluster's storages, the main first
 */
public record RestoreJobSpec(
        String source,
        Request request,
        RestorePlan plan,
        LinkedHashMap<String, StorageSpec> storages,
        long promotionTimeoutSeconds,
        long stallTimeoutSeconds,
        int walFetchThreads) {

    /** The environment variable that carries the spec. */
    public static final String VARIABLE = "STOWAGE_RESTORE_JOB";

    /** The request's CloudEvents attributes its step events refer to. */
    public record Request(String id, String correlationId, String traceparent) {
        public static Request of(Envelope<?> request) {
            return new Request(request.id(), request.correlationId(), request.traceparent());
        }
    }

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
