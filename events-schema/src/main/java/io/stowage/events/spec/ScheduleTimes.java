package io.stowage.events.spec;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * When a schedule is due: its cron expression (5 fields, read by cron-utils as Unix cron) in its time zone. A due time
 * also names the backup it makes ({@link #backupId}), so that any instance firing it, any number of times, asks for
 * the same backup.
 */
public final class ScheduleTimes {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmm'Z'")
            .withZone(ZoneOffset.UTC);

    private final ExecutionTime times;
    private final ZoneId zone;

    private ScheduleTimes(ExecutionTime times, ZoneId zone) {
        this.times = times;
        this.zone = zone;
    }

    /** The times of a schedule; an expression or zone that cannot be read throws, saying why. */
    public static ScheduleTimes of(ScheduleSpec schedule) {
        return of(schedule.schedule(), schedule.timezone());
    }

    /**
     * @throws IllegalArgumentException with the reason: not 5 fields, a field out of range, an unknown time zone, or
     *                                  an expression that never comes (30 February)
     */
    public static ScheduleTimes of(String expression, String timezone) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("a cron expression is required");
        }
        int fields = expression.trim().split("\\s+").length;
        if (fields != 5) {
            throw new IllegalArgumentException("'" + expression + "' has " + fields + " fields: a cron expression has 5"
                    + " (minute, hour, day of month, month, day of week)");
        }
        ExecutionTime times;
        try {
            times = ExecutionTime.forCron(PARSER.parse(expression).validate());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + expression + "' is not a cron expression: " + e.getMessage());
        }
        ZoneId zone;
        try {
            zone = timezone == null ? ZoneOffset.UTC : ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("'" + timezone + "' is not a time zone (an IANA name such as "
                    + "Europe/Paris, or UTC)");
        }
        ScheduleTimes schedule = new ScheduleTimes(times, zone);
        Instant now = Instant.now();
        if (schedule.nextAfter(now).isEmpty() && schedule.lastAtOrBefore(now).isEmpty()) {
            throw new IllegalArgumentException("'" + expression + "' never comes");
        }
        return schedule;
    }

    /** The first due time strictly after {@code t}. */
    public Optional<Instant> nextAfter(Instant t) {
        return times.nextExecution(ZonedDateTime.ofInstant(t, zone)).map(z -> z.toInstant());
    }

    /** The last due time at or before {@code t}. */
    public Optional<Instant> lastAtOrBefore(Instant t) {
        ZonedDateTime at = ZonedDateTime.ofInstant(t.truncatedTo(ChronoUnit.MINUTES), zone);
        if (times.isMatch(at)) {
            return Optional.of(at.toInstant());
        }
        return times.lastExecution(at).map(z -> z.toInstant());
    }

    /** The backup a schedule makes at a due time: its name and the time in UTC to the minute. */
    public static String backupId(String schedule, Instant due) {
        return schedule + "-" + ID_TIME.format(due);
    }
}
