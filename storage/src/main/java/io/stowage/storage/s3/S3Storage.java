package io.stowage.storage.s3;

import io.stowage.events.spec.S3Spec;
import io.stowage.events.spec.StorageLocation;
import io.stowage.events.spec.StorageType;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.ObjectExistsException;
import io.stowage.storage.ObjectInfo;
import io.stowage.storage.ObjectUpload;
import io.stowage.storage.SecretSource;
import io.stowage.storage.StorageException;
import io.stowage.storage.StorageKeys;
import io.stowage.storage.StorageTuning;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A storage in an S3 bucket (AWS or S3-compatible): key {@code k} is the object {@code <prefix>/k}.
 * Uploads are multipart with parts sent in parallel; downloads are parallel ranged GETs delivered in
 * order. All transfers of the storage share one bounded pool of threads.
 */
public final class S3Storage implements BackupStorage {

    /** The largest object {@link #readSmall} accepts: manifests are far smaller. */
    static final long SMALL_LIMIT = 64L << 20;

    private final String name;
    private final StorageLocation location;
    private final String bucket;
    private final String prefix;
    private final StorageTuning tuning;
    private final S3Connection connection;
    private final S3Failures failures;
    private final S3Conditions conditions;
    private final ThreadPoolExecutor transfers;

    private S3Storage(String name, StorageLocation location, S3Spec spec, StorageTuning tuning, S3Connection connection) {
        this.name = name;
        this.location = location;
        this.bucket = spec.bucket();
        this.prefix = StorageKeys.trimSlashes(location.prefix());
        this.tuning = tuning;
        this.connection = connection;
        this.failures = new S3Failures(describe(), bucket, spec.endpointUrl(), connection.trustSource(),
                spec.credentialsSecret());
        this.conditions = new S3Conditions(this);
        this.transfers = new ThreadPoolExecutor(tuning.threads(), tuning.threads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threadsNamed("stowage-s3-" + name));
        this.transfers.allowCoreThreadTimeOut(true);
    }

    /**
     * Opens the storage: builds its client from the spec, reading credentials and CA bundle from
     * {@code secrets}. Nothing is sent to the server until the first operation.
     *
     * @throws io.stowage.storage.StorageConfigException when a secret is missing or the spec is unusable
     */
    public static S3Storage open(String name, StorageLocation location, S3Spec spec, SecretSource secrets,
            StorageTuning tuning) {
        if (location.type() != StorageType.S3 || spec == null) {
            throw new IllegalArgumentException("not an s3 location: " + location);
        }
        if (!StorageKeys.trimSlashes(location.prefix()).isEmpty()) {
            StorageKeys.requireValid(StorageKeys.trimSlashes(location.prefix()));
        }
        S3Connection connection = S3Connection.open(name, spec, secrets, tuning);
        return new S3Storage(name, location, spec, tuning, connection);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public StorageLocation location() {
        return location;
    }

    /** The transfer settings in use. */
    public StorageTuning tuning() {
        return tuning;
    }

    @Override
    public ObjectUpload upload(String key) {
        return new S3Upload(this, StorageKeys.requireValid(key), false);
    }

    /** A multipart upload's id is unique to it: {@code runId} only names it in logs. */
    @Override
    public ObjectUpload uploadNew(String key, String runId) {
        return new S3Upload(this, StorageKeys.requireValid(key), true);
    }

    @Override
    public InputStream download(String key) throws IOException {
        return S3Download.open(this, StorageKeys.requireValid(key));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            HeadObjectResponse head = client().headObject(r -> r.bucket(bucket).key(objectKey));
            return Optional.of(new ObjectInfo(key, head.contentLength(), head.lastModified(), head.eTag()));
        } catch (RuntimeException e) {
            if (S3Failures.isNotFound(e)) {
                return Optional.empty();
            }
            throw failures.translate("stat of " + key, e);
        }
    }

    @Override
    public Stream<ObjectInfo> list(String keyPrefix) throws IOException {
        String listPrefix = objectKey(StorageKeys.requireValidPrefix(keyPrefix));
        ListObjectsV2Request request = ListObjectsV2Request.builder()
                .bucket(bucket).prefix(listPrefix).maxKeys(tuning.listPageSize()).build();
        // The paginator fetches the next page (continuation token) only when the previous one is used up; the first
        // page comes at once, and a missing bucket fails here, named, never read as an empty storage.
        Iterator<S3Object> objects;
        try {
            objects = client().listObjectsV2Paginator(request).contents().iterator();
        } catch (RuntimeException e) {
            throw failures.translate("listing of '" + keyPrefix + "'", e);
        }
        Iterator<ObjectInfo> infos = new Iterator<>() {
            private ObjectInfo next;

            @Override
            public boolean hasNext() {
                try {
                    while (next == null && objects.hasNext()) {
                        S3Object object = objects.next();
                        // Folder markers made by consoles are not objects of ours.
                        if (!object.key().endsWith("/")) {
                            next = new ObjectInfo(relativeKey(object.key()), object.size(), object.lastModified());
                        }
                    }
                    return next != null;
                } catch (RuntimeException e) {
                    throw new UncheckedIOException(failures.translate("listing of '" + keyPrefix + "'", e));
                }
            }

            @Override
            public ObjectInfo next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ObjectInfo result = next;
                next = null;
                return result;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(infos,
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            client().deleteObject(r -> r.bucket(bucket).key(objectKey));
        } catch (RuntimeException e) {
            throw failures.translate("delete of " + key, e);
        }
    }

    /** Keys per DeleteObjects call: the most S3 takes. */
    static final int DELETE_BATCH = 1000;
    /** DeleteObjects calls in flight at once. */
    static final int DELETES_IN_FLIGHT = 4;

    @Override
    public long deleteAll(Iterator<String> keys) throws IOException {
        long given = 0;
        Deque<Future<?>> inFlight = new ArrayDeque<>();
        List<ObjectIdentifier> batch = new ArrayList<>(DELETE_BATCH);
        boolean done = false;
        try {
            while (keys.hasNext()) {
                batch.add(ObjectIdentifier.builder().key(objectKey(StorageKeys.requireValid(keys.next()))).build());
                given++;
                if (batch.size() == DELETE_BATCH) {
                    List<ObjectIdentifier> full = batch;
                    inFlight.add(transfers.submit(() -> deleteBatch(full)));
                    batch = new ArrayList<>(DELETE_BATCH);
                    while (inFlight.size() >= DELETES_IN_FLIGHT) {
                        await(inFlight.poll());
                    }
                }
            }
            if (!batch.isEmpty()) {
                deleteBatch(batch);
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.poll());
            }
            done = true;
        } finally {
            if (!done) {
                inFlight.forEach(f -> f.cancel(true));
            }
        }
        return given;
    }

    private Void deleteBatch(List<ObjectIdentifier> batch) throws StorageException {
        DeleteObjectsResponse response;
        try {
            response = client().deleteObjects(r -> r.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
        } catch (RuntimeException e) {
            throw failures.translate("delete of " + batch.size() + " objects from "
                    + relativeKey(batch.get(0).key()), e);
        }
        // S3 reports a key that was not there as deleted; some servers say NoSuchKey: gone either way.
        List<S3Error> errors = response.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
        if (!errors.isEmpty()) {
            S3Error first = errors.get(0);
            throw new StorageException(describe() + ": could not remove " + errors.size() + " of " + batch.size()
                    + " objects, " + relativeKey(first.key()) + " first: " + first.code() + " " + first.message());
        }
        return null;
    }

    private static void await(Future<?> batch) throws IOException {
        try {
            batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while deleting");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new StorageException("delete failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public boolean deleteVersion(String key, String version) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            return version != null && conditions.deleteIfMatch(objectKey, version);
        } catch (RuntimeException e) {
            throw failures.translate("delete of " + key, e);
        }
    }

    @Override
    public int discardIncomplete(String keyPrefix) throws IOException {
        return discardUploads(keyPrefix, null);
    }

    @Override
    public int discardAbandoned(String keyPrefix, Duration idle) throws IOException {
        return discardUploads(keyPrefix, Instant.now().minus(idle));
    }

    // Open multipart uploads under the prefix; with writtenBefore, only those whose newest part (or start) is older.
    private int discardUploads(String keyPrefix, Instant writtenBefore) throws IOException {
        String objectPrefix = objectKey(keyPrefix);
        int discarded = 0;
        try {
            for (var page : client().listMultipartUploadsPaginator(r -> r.bucket(bucket).prefix(objectPrefix))) {
                for (var upload : page.uploads()) {
                    if (writtenBefore != null && !lastWritten(upload.key(), upload.uploadId(), upload.initiated())
                            .isBefore(writtenBefore)) {
                        continue;
                    }
                    try {
                        client().abortMultipartUpload(r -> r.bucket(bucket).key(upload.key())
                                .uploadId(upload.uploadId()));
                        discarded++;
                    } catch (RuntimeException e) {
                        if (!S3Failures.isNotFound(e)) {
                            throw e;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            throw failures.translate("discarding interrupted uploads under " + keyPrefix, e);
        }
        return discarded;
    }

    private Instant lastWritten(String objectKey, String uploadId, Instant initiated) {
        Instant last = initiated;
        try {
            for (var page : client().listPartsPaginator(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId))) {
                for (var part : page.parts()) {
                    if (part.lastModified() != null && part.lastModified().isAfter(last)) {
                        last = part.lastModified();
                    }
                }
            }
        } catch (RuntimeException e) {
            if (S3Failures.isNotFound(e)) {
                return Instant.MIN; // completed or aborted since it was listed: nothing to keep
            }
            throw e;
        }
        return last;
    }

    @Override
    public void writeSmall(String key, byte[] content) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            client().putObject(r -> r.bucket(bucket).key(objectKey).contentLength((long) content.length),
                    RequestBody.fromBytes(content));
        } catch (RuntimeException e) {
            throw failures.translate("write of " + key, e);
        }
    }

    @Override
    public boolean writeSmallIfAbsent(String key, byte[] content) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            conditions.completeIfAbsent(true, objectKey, condition -> client().putObject(r -> r.bucket(bucket)
                    .key(objectKey).contentLength((long) content.length).ifNoneMatch(condition),
                    RequestBody.fromBytes(content)).eTag());
            return true;
        } catch (ObjectExistsException e) {
            return false;
        } catch (RuntimeException e) {
            throw failures.translate("write of " + key, e);
        }
    }

    @Override
    public byte[] readSmall(String key) throws IOException {
        String objectKey = objectKey(StorageKeys.requireValid(key));
        try {
            var response = client().getObjectAsBytes(r -> r.bucket(bucket).key(objectKey));
            if (response.response().contentLength() != null && response.response().contentLength() > SMALL_LIMIT) {
                throw new StorageException(describe() + ": " + key + " is too big to read whole");
            }
            return response.asByteArrayUnsafe();
        } catch (RuntimeException e) {
            if (S3Failures.isNotFound(e)) {
                throw new NoSuchObjectException(describe() + ": no object " + key);
            }
            throw failures.translate("read of " + key, e);
        }
    }

    @Override
    public void checkAccess() throws IOException {
        try {
            client().listObjectsV2(r -> r.bucket(bucket).prefix(objectKey("")).maxKeys(1));
        } catch (RuntimeException e) {
            throw failures.translate("access check", e);
        }
    }

    @Override
    public void close() {
        transfers.shutdown();
        try {
            // Queued parts of aborted transfers return at once; let running requests end before the client closes.
            transfers.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    S3Client client() {
        return connection.client();
    }

    String bucket() {
        return bucket;
    }

    ExecutorService transfers() {
        return transfers;
    }

    S3Failures failures() {
        return failures;
    }

    S3Conditions conditions() {
        return conditions;
    }

    /** The object's full key in the bucket: {@code <prefix>/<key>}. */
    String objectKey(String key) {
        return prefix.isEmpty() ? key : prefix + "/" + key;
    }

    private String relativeKey(String objectKey) {
        return prefix.isEmpty() ? objectKey : objectKey.substring(prefix.length() + 1);
    }

    private static ThreadFactory threadsNamed(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
