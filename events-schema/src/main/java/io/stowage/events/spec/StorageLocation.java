package io.stowage.events.spec;

import java.nio.file.Path;

/** Where a storage keeps a cluster's files, with no secret in it: safe for events, logs and screens. */
public record StorageLocation(
        StorageType type,
        String bucket,
        String region,
        String endpointUrl,
        String path,
        String prefix) {

    /** A short human form: {@code s3://bucket/prefix} or {@code file:///path/prefix}. */
    public String describe() {
        String p = prefix == null ? "" : trimSlashes(prefix);
        if (type == StorageType.S3) {
            String where = endpointUrl == null ? "" : " at " + endpointUrl;
            return "s3://" + bucket + "/" + p + where;
        }
        return "file://" + (path == null ? "" : Path.of(path, p).normalize());
    }

    /**
     * The place files really land, for telling whether two storages overlap: S3 endpoint + bucket +
     * prefix, or the normalized absolute folder.
     */
    public String identity() {
        String p = prefix == null ? "" : trimSlashes(prefix);
        if (type == StorageType.S3) {
            String endpoint = endpointUrl == null ? "aws" : trimSlashes(endpointUrl.toLowerCase());
            return "s3|" + endpoint + "|" + bucket + "|" + p;
        }
        return "fs|" + (path == null ? "" : Path.of(path, p).toAbsolutePath().normalize());
    }

    private static String trimSlashes(String s) {
        String r = s;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        while (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }
}
