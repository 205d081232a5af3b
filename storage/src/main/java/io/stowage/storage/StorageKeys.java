package io.stowage.storage;

/**
 * The rules every key follows on every storage, so that a key written to S3 can also be a file path:
 * segments separated by single {@code /}, none empty, {@code .} or {@code ..}, no backslash or NUL, no
 * leading or trailing {@code /}.
 */
public final class StorageKeys {

    private StorageKeys() {
    }

    /** Returns {@code key} when it is a valid object key, else throws {@link IllegalArgumentException}. */
    public static String requireValid(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("an object key must not be empty");
        }
        checkSegments(key, key);
        return key;
    }

    /**
     * Returns {@code keyPrefix} when it is a valid listing prefix: empty, or a valid key optionally
     * ending in {@code /} (a folder) or part of a file name (such as {@code wal/00000001/0000000100}).
     */
    public static String requireValidPrefix(String keyPrefix) {
        if (keyPrefix == null) {
            throw new IllegalArgumentException("a key prefix must not be null (use \"\" for all keys)");
        }
        if (keyPrefix.isEmpty()) {
            return keyPrefix;
        }
        String body = keyPrefix.endsWith("/") ? keyPrefix.substring(0, keyPrefix.length() - 1) : keyPrefix;
        if (body.isEmpty()) {
            throw new IllegalArgumentException("a key prefix must not start with '/': " + keyPrefix);
        }
        checkSegments(body, keyPrefix);
        return keyPrefix;
    }

    /** The storage-wide prefix without leading or trailing slashes ({@code ""} for none). */
    public static String trimSlashes(String prefix) {
        if (prefix == null) {
            return "";
        }
        int start = 0;
        int end = prefix.length();
        while (start < end && prefix.charAt(start) == '/') {
            start++;
        }
        while (end > start && prefix.charAt(end - 1) == '/') {
            end--;
        }
        return prefix.substring(start, end);
    }

    private static void checkSegments(String body, String shown) {
        if (body.indexOf('\\') >= 0 || body.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an object key must not contain '\\' or NUL: " + shown);
        }
        for (String segment : body.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("an object key must be '/'-separated names, none empty,"
                        + " '.' or '..': " + shown);
            }
        }
    }
}
