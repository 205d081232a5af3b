package io.stowage.backup.wal;

import io.stowage.events.Envelope;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreEvent;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepName.RESUME_ARCHIVING;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;

/**
 * Which clusters a restore has paused, as a fold over {@code stowage.restore}: a {@code pause-archiving} step
 * STARTED pauses archiving and backups of its cluster; {@code resume-archiving} STARTED, or the restore's end
 * (completed or failed), resumes them. It also tells which requests still wait for backup-service's answer (the
 * same step COMPLETED), so an instance that takes a cluster over answers what its predecessor did not.
 *
 * <p>A pause is a lease: every event of its restore (steps, heartbeats) renews it; once none has come for the lease's
 * length (by the events' own times, so every instance reading the topic agrees), the restore is taken for dead and
 * the pause lapses: archiving and backups resume. A later event of the restore renews it again.
 */
public final class ArchivingPauses {
    /** A pause or resume request: its cluster, its restore, and the event to answer (correlation, causation). */
    public record Request(String cluster, String restoreId, Envelope<?> event) {
    }

    private final Duration lease;
    private final Supplier<Instant> clock;
    private final Map<String, Request> paused = new HashMap<>();
    /** The newest event time of each restore: when it was last heard of. */
    private final Map<String, Instant> heard = new HashMap<>();
    private final Map<String, Request> resumes = new HashMap<>();
    private final Set<String> answered = new HashSet<>();

    public ArchivingPauses(Duration lease, Supplier<Instant> clock) {
        this.lease = lease;
        this.clock = clock;
    }

    /** Applies one event of the restore topic; true when it changed what is paused or what waits for an answer. */
    public synchronized boolean apply(Envelope<?> event) {
        boolean renewed = false;
        if (event.data() instanceof RestoreEvent && restoreId(event.data()) != null && event.time() != null) {
            Instant at = event.time().toInstant();
            Instant newest = heard.merge(restoreId(event.data()), at, (a, b) -> a.isAfter(b) ? a : b);
            // Worth a look by the archivers when it may bring a lapsed pause back.
            renewed = newest == at
                    && paused.values().stream().anyMatch(r -> r.restoreId().equals(restoreId(event.data())));
        }
        return applyStep(event) || renewed;
    }

    private static String restoreId(Object data) {
        if (data instanceof RestoreStep s) {
            return s.restoreId();
        }
        if (data instanceof io.stowage.events.data.RestoreProgress p) {
            return p.restoreId();
        }
        if (data instanceof io.stowage.events.data.RestoreStarted s) {
            return s.restoreId();
        }
        return null;
    }

    private boolean applyStep(Envelope<?> event) {
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

    /** The restore that holds the cluster paused, if one does (a pause whose lease lapsed holds nothing). */
    public synchronized Optional<Request> pausedBy(String cluster) {
        Request r = paused.get(cluster);
        return r == null || lapsed(r) ? Optional.empty() : Optional.of(r);
    }

    /** A pause of this cluster whose lease lapsed: its restore has not been heard of for the lease's length. */
    public synchronized Optional<Request> lapsedPause(String cluster) {
        Request r = paused.get(cluster);
        return r != null && lapsed(r) ? Optional.of(r) : Optional.empty();
    }

    /** When the restore holding a pause was last heard of. */
    public synchronized Instant lastHeard(Request r) {
        return heard.getOrDefault(r.restoreId(), r.event().time().toInstant());
    }

    /** How many pauses have lapsed. */
    public synchronized int lapsedCount() {
        return (int) paused.values().stream().filter(this::lapsed).count();
    }

    public Duration lease() {
        return lease;
    }

    private boolean lapsed(Request r) {
        return clock.get().isAfter(lastHeard(r).plus(lease));
    }

    /** A pause of this cluster that no instance has answered yet. */
    public synchronized Optional<Request> unansweredPause(String cluster) {
        Request r = paused.get(cluster);
        return r != null && !lapsed(r) && !answered.contains(r.restoreId() + "/" + PAUSE_ARCHIVING.wireName())
                ? Optional.of(r) : Optional.empty();
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
