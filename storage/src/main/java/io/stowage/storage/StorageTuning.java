package io.stowage.storage;

/**
 * How big transfers are cut and how many pieces travel at once. Memory per transfer is bounded by
 * {@code partSize x (parallelism + 1)} for an upload and {@code rangeSize x (parallelism + 1)} for a
 * download.
 *
 * @param partSize    bytes per multipart-upload part (S3: at least 5 MiB; at most 10,000 parts per object)
 * @param rangeSize   bytes per ranged GET of a download
 * @param parallelism parts or ranges in flight at once, per transfer
 * @param threads     transfer threads shared by all transfers of one storage
 * @param listPageSize keys per listing page (S3 caps it at 1000)
 */
public record StorageTuning(int partSize, int rangeSize, int parallelism, int threads, int listPageSize) {

    /** S3's smallest part (but the last). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** 16 MiB parts and ranges, 4 in flight, 8 threads, 1000 keys per page. */
    public static final StorageTuning DEFAULTS = new StorageTuning(16 << 20, 16 << 20, 4, 8, 1000);

    public StorageTuning {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be at least 5 MiB (S3's minimum), not " + partSize);
        }
        if (rangeSize < 64 * 1024) {
            throw new IllegalArgumentException("rangeSize must be at least 64 KiB, not " + rangeSize);
        }
        if (parallelism < 1 || threads < 1) {
            throw new IllegalArgumentException("parallelism and threads must be at least 1");
        }
        if (listPageSize < 1 || listPageSize > 1000) {
            throw new IllegalArgumentException("listPageSize must be 1 to 1000, not " + listPageSize);
        }
    }

    public StorageTuning withPartSize(int bytes) {
        return new StorageTuning(bytes, rangeSize, parallelism, threads, listPageSize);
    }

    public StorageTuning withRangeSize(int bytes) {
        return new StorageTuning(partSize, bytes, parallelism, threads, listPageSize);
    }

    /** The same tuning with {@code n} pieces in flight per transfer and at least as many threads. */
    public StorageTuning withParallelism(int n) {
        return new StorageTuning(partSize, rangeSize, n, Math.max(threads, n), listPageSize);
    }

    public StorageTuning withThreads(int n) {
        return new StorageTuning(partSize, rangeSize, parallelism, n, listPageSize);
    }

    public StorageTuning withListPageSize(int n) {
        return new StorageTuning(partSize, rangeSize, parallelism, threads, n);
    }
}
