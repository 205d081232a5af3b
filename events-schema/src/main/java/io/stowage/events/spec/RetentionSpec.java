package io.stowage.events.spec;

/**
 * How long a storage keeps its backups: the newest {@code keep} complete ones, none older than {@code maxAge}; both
 * optional. Retention never removes a storage's newest complete backup, a backup a running restore uses, or WAL that
 * a kept backup on any storage of the cluster needs.
 *
 * @param keep   at least 1; absent: no limit by count
 * @param maxAge a duration such as {@code 30d}, {@code 12h}, {@code 2w} or {@code 90m}; absent: no limit by age
 */
public record RetentionSpec(Integer keep, String maxAge) {
}
