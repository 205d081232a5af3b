package io.stowage.cli.restore;

import io.stowage.bus.BusReader;
import io.stowage.cli.render.EventSummary;
import io.stowage.cli.render.Text;
import io.stowage.events.Envelope;
import io.stowage.events.data.ConfigRejected;
import io.stowage.events.data.EventRejected;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreProgress;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepStatus;
import io.stowage.events.data.StowageEvent;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * One restore request followed on the bus: restore-service's answers in the request's correlation printed as they
 * come (started, one line per step), storage and resync events of the same correlation as side notes, and the
 * outcome once it is there. A refusal of the request itself ({@code event.rejected.v1} naming its ce id, or
 * {@code config.rejected.v1} in its correlation) is an outcome too. Everything else is passed over.
 */
public final class RestoreFollow {
    /** How the restore ended. */
    public sealed interface Outcome permits Completed, Failed, Refused {
    }

    /** restore-service restored it. */
    public record Completed(RestoreCompleted event) implements Outcome {
    }

    /** restore-service stopped it; the same restore id runs it again. */
    public record Failed(RestoreFailed event) implements Outcome {
    }

    /** A consumer refused the request before any restore began. */
    public record Refused(String consumer, String reason) implements Outcome {
    }

    private final Envelope<RestoreRequested> request;
    private final PrintWriter out;
    private final StepMarks marks;
    private boolean answered;

    public RestoreFollow(Envelope<RestoreRequested> request, PrintWriter out, StepMarks marks) {
        this.request = request;
        this.out = out;
        this.marks = marks;
    }

    /** Whether anything has answered the request yet. */
    public boolean answered() {
        return answered;
    }

    /** Takes one record off the followed topics; returns the outcome when this record is it. */
    public Optional<Outcome> accept(BusReader.Read read) {
        if (!read.valid()) {
            return Optional.empty();
        }
        StowageEvent data = read.event().data();
        if (data instanceof EventRejected r) {
            // A refused record is not in any correlation: it names the record by its ce id.
            if (!request.id().equals(r.id())) {
                return Optional.empty();
            }
            answered = true;
            return Optional.of(new Refused(Text.clean(r.consumer()), Text.clean(r.reason())));
        }
        if (!request.correlationId().equals(read.event().correlationId()) || request.id().equals(read.event().id())) {
            return Optional.empty();
        }
        answered = true;
        Optional<Outcome> outcome = Optional.empty();
        if (data instanceof RestoreStarted s) {
            out.println("Started: restore " + Text.clean(s.restoreId()) + " of backup " + Text.clean(s.backupId())
                    + " from " + Text.clean(s.storage()) + ".");
        } else if (data instanceof RestoreStep s) {
            out.println(step(s));
        } else if (data instanceof RestoreCompleted c) {
            outcome = Optional.of(new Completed(c));
        } else if (data instanceof RestoreFailed f) {
            outcome = Optional.of(new Failed(f));
        } else if (data instanceof ConfigRejected r) {
            outcome = Optional.of(new Refused("config-service", Text.clean(EventSummary.of(r))));
        } else if (!(data instanceof RestoreRequested) && !(data instanceof RestoreProgress)) {
            // storage.changed (a backupSource placed), resync.* (its catalog read).
            out.println("  " + marks.note() + " " + Text.shortType(read.event().type().type()) + ": " + Text.clean(EventSummary.of(data)));
        }
        out.flush();
        return outcome;
    }

    private String step(RestoreStep s) {
        String mark = switch (RestoreStepStatus.fromWireName(s.status()).orElse(RestoreStepStatus.STARTED)) {
            case COMPLETED -> marks.completed();
            case SKIPPED -> marks.skipped();
            case STARTED -> marks.started();
        };
        boolean noDetail = s.detail() == null || s.detail().isBlank();
        String detail = s.is(RestoreStepStatus.SKIPPED) ? "skipped" + (noDetail ? "" : ": " + s.detail())
                : noDetail ? null : s.detail();
        return "  " + mark + " " + Text.clean(s.step()) + (detail == null ? "" : "  " + Text.clean(detail));
    }
}
