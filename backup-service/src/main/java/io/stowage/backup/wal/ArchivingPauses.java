package io.stowage.backup.wal;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.RESUME_ARCHIVING;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;

/**
 * Which clusters a restore has paused, as a fold over {@code stowage.restore}: a {@code pause-archiving} step
 * STARTED pauses archiving and backups of its cluster; {@code resume-archiving} STARTED, or the restore's end
 * (completed or failed), resumes them. It also tells which requests still wait for backup-service's answer (the
 * same step COMPLETED), so an instance that takes a cluster over answers what its predecessor did not.
 */
public final class ArchivingPauses {
    /** A pause or resume request: its cluster, its restore, and the event to answer (correlation, causation). */
    public record Request(String cluster, String restoreId, Envelope<?> event) {
    }

    private final Map<String, Request> paused = new HashMap<>();
    private final Map<String, Request> resumes = new HashMap<>();
    private final Set<String> answered = new HashSet<>();

    /** Applies one event of the restore topic; true when it changed what is paused or what waits for an answer. */
    public synchronized boolean apply(Envelope<?> event) {
        if (event.data() instanceof RestoreStep step) {
            String answer = step.restoreId() + "/" + step.step();
            if (step.is(COMPLETED) && (step.is(PAUSE_ARCHIVING) || step.is(RESUME_ARCHIVING))) {
                return answered.add(answer);
            }
            if (!step.is(STARTED)) {
                return false;
            }
            if (step.is(PAUSE_ARCHIVING)) {
                answered.remove(answer); // a restore run again pauses again, and is answered again
                paused.put(step.cluster(), new Request(step.cluster(), step.restoreId(), event));
                return true;
            }
            if (step.is(RESUME_ARCHIVING)) {
                answered.remove(answer);
                paused.remove(step.cluster());
                resumes.put(step.cluster(), new Request(step.cluster(), step.restoreId(), event));
                return true;
            }
            return false;
        }
        if (event.data() instanceof RestoreCompleted done) {
            return paused.remove(done.cluster()) != null;
        }
        if (event.data() instanceof RestoreFailed failed) {
            return paused.remove(failed.cluster()) != null;
        }
        return false;
    }

    /** The restore that holds the cluster paused, if one does. */
    public synchronized Optional<Request> pausedBy(String cluster) {
        return Optional.ofNullable(paused.get(cluster));
    }

    /** A pause of this cluster that no instance has answered yet. */
    public synchronized Optional<Request> unansweredPause(String cluster) {
        Request r = paused.get(cluster);
        return r != null && !answered.contains(r.restoreId() + "/" + PAUSE_ARCHIVING.wireName()) ? Optional.of(r)
                : Optional.empty();
    }

    /** A resume of this cluster that no instance has answered yet. */
    public synchronized Optional<Request> unansweredResume(String cluster) {
        Request r = resumes.get(cluster);
        return r != null && !answered.contains(r.restoreId() + "/" + RESUME_ARCHIVING.wireName()) ? Optional.of(r)
                : Optional.empty();
    }

    /** Records an answer given by this instance, before it comes back on the topic. */
    public synchronized void answered(Request request, RestoreStepName step) {
        answered.add(request.restoreId() + "/" + step.wireName());
        if (step == RESUME_ARCHIVING) {
            resumes.remove(request.cluster(), request);
        }
    }
}
