package io.stowage.cli.topology;

/**
 * The revision since which a storage holds its role.
 *
 * @param exact false when compaction removed the revisions before: then it is this one or an earlier one
 */
public record Since(long revision, boolean exact) {
    public String describe() {
        return "revision " + revision + (exact ? "" : " or earlier");
    }
}
