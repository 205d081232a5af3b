package io.stowage.events.spec;

import java.util.List;

/**
 * A backup taken on its own at the times of a cron expression.
 *
 * @param name     unique in the cluster; the backups it makes are named after it and their due time
 * @param schedule a cron expression of 5 fields (minute, hour, day of month, month, day of week)
 * @param timezone an IANA zone the expression is read in; absent: UTC
 * @param storages the storages the backups go to; absent or empty: the main
 * @param enabled  absent: true
 */
public record ScheduleSpec(String name, String schedule, String timezone, List<String> storages, Boolean enabled) {

    /** True unless {@code enabled: false}. */
    public boolean enabledOrDefault() {
        return !Boolean.FALSE.equals(enabled);
    }
}
