package io.stowage.storage;

import io.stowage.events.spec.StorageLocation;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One cluster's files on one storage (filesystem or S3), seen from its effective prefix: every key is
 * relative to {@code <prefix>/} and uses {@code /} as separator (see {@link StorageLayout}).
 *
 * <p>Big objects stream in both directions with constant memory ({@link #upload}, {@link #download});
 * manifests go through {@link #writeSmall} and {@link #readSmall}. Implementations are thread-safe; an
 * {@link ObjectUpload} or a download stream belongs to one thread. Close the storage to release its
 * client and threads.
 */
public interface BackupStorage extends AutoCloseable {

    /** The storage's name in the cluster's config (its key under {@code spec.storages}). */
    String name();

    /** Where the files are, without secrets. */
    StorageLocation location();

    /** A short human description for logs and messages, without secrets: name and location. */
    default String describe() {
        return "storage '" + name() + "' (" + location().describe() + ")";
    }

    /**
     * Starts writing {@code key}. Nothing is visible under the key until {@link ObjectUpload#complete()}
     * returns; {@link ObjectUpload#abort()}, a failure, or a close without complete leaves nothing behind.
     */
    ObjectUpload upload(String key) throws IOException;

    /**
     * Starts writing {@code key} as a NEW object: what is in progress has a name of its own to {@code runId} (no
     * other run's upload, or cleanup, can touch it), and {@link ObjectUpload#complete()} places it only if no object
     * is under the key yet, atomically: otherwise it discards the upload and throws {@link ObjectExistsException}.
     * Two runs writing the same key cannot replace each other's object.
     *
     * @param runId letters, digits and '-' only
     */
    ObjectUpload uploadNew(String key, String runId) throws IOException;

    /** Reads {@code key} from the start; throws {@link NoSuchObjectException} when it does not exist. */
    InputStream download(String key) throws IOException;

    /** Size and last modification of {@code key}, or empty when there is no such object. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /**
     * The objects whose key starts with {@code keyPrefix} (a plain string prefix, {@code ""} for all), in
     * key order, fetched page by page as the stream is consumed. Close the stream when done early. A
     * failure while iterating is thrown as an {@link java.io.UncheckedIOException} wrapping a
     * {@link StorageException}.
     */
    Stream<ObjectInfo> list(String keyPrefix) throws IOException;

    /**
     * False when the storage can tell that its prefix holds nothing because the prefix's folder does not exist: a
     * filesystem storage before its first write, or whose volume is not mounted. S3 has no folders: always true.
     */
    default boolean prefixExists() throws IOException {
        return true;
    }

    /**
     * Tokens that change whenever an object is added to or removed from a folder: for the folder {@code folderKey}
     * (ending in {@code /}) and for each folder directly under it, by folder key. Empty when the storage cannot tell
     * that cheaply (S3). A filesystem gives each folder's modification time and identity. Lets a resync skip
     * listing big folders that did not change.
     */
    default Map<String, String> folderStamps(String folderKey) throws IOException {
        return Map.of();
    }

    /**
     * Removes {@code key} if it exists. Meant only for cleaning up this service's own incomplete
     * objects: backups are never deleted through here.
     */
    void delete(String key) throws IOException;

    /**
     * Removes each key {@code keys} gives that exists (one already gone is no error), reading the keys as it goes,
     * so any number of them costs constant memory: on S3 in DeleteObjects calls of up to 1,000 keys, on a filesystem
     * file by file, removing the folders it empties (never the prefix's folder nor the layout's top folders). Only
     * retention and delete requests remove backups and WAL, through here. Returns how many keys it was given.
     *
     * @throws StorageException naming the keys that could not be removed; those before them are gone
     */
    long deleteAll(Iterator<String> keys) throws IOException;

    /**
     * Removes {@code key} only while it is the object of that {@code version} ({@link ObjectInfo#version()},
     * {@link ObjectUpload#version()}): an object written there since stays. Returns whether it removed it.
     */
    boolean deleteVersion(String key, String version) throws IOException;

    /**
     * Removes what uploads interrupted by a crash left under {@code keyPrefix}: open S3 multipart uploads, partial
     * files. Returns how many it removed. Complete objects are never touched.
     */
    int discardIncomplete(String keyPrefix) throws IOException;

    /**
     * Like {@link #discardIncomplete}, but only the uploads nothing was written to for {@code idle} (a partial
     * file's modification, an S3 upload's newest part or its start): those of runs that are gone, not of one still
     * writing.
     */
    int discardAbandoned(String keyPrefix, Duration idle) throws IOException;

    /** Writes a small object (a manifest) in one go, atomically, replacing any previous one. */
    void writeSmall(String key, byte[] content) throws IOException;

    /**
     * Writes a small object in one go only if no object is under {@code key}, atomically (S3 {@code If-None-Match:
     * *}, a hard link on a filesystem). Returns false, writing nothing, when one is there.
     */
    boolean writeSmallIfAbsent(String key, byte[] content) throws IOException;

    /** Reads a small object whole; throws {@link NoSuchObjectException} when it does not exist. */
    byte[] readSmall(String key) throws IOException;

    /**
     * Checks that the storage answers and that its credentials and TLS settings work, without
     * changing anything (lists at most one key).
     */
    void checkAccess() throws IOException;

    /** Releases the client, connections and threads; uploads and downloads in progress fail. */
    @Override
    void close();
}
