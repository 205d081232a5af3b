package io.stowage.storage.s3;

import io.stowage.storage.ObjectExistsException;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3's conditional requests, which keep two runs writing one key from replacing each other's object: a write with
 * {@code If-None-Match: *} (PutObject, CompleteMultipartUpload) and a delete with {@code If-Match: <ETag>}. AWS S3
 * and S3Proxy (4.1, filesystem backends) answer them atomically. A server that does not implement them (HTTP 501) gets
 * the same checks as a look followed by the request, which another writer can slip between; a WARN says so once.
 */
final class S3Conditions {
    private static final Logger LOG = Logger.getLogger(S3Conditions.class);

    /** A request sent with the given {@code If-None-Match} value (null: none); returns the ETag it made. */
    @FunctionalInterface
    interface Write {
        String send(String ifNoneMatch);
    }

    private final S3Storage storage;
    private volatile boolean unsupported;

    S3Conditions(S3Storage storage) {
        this.storage = storage;
    }

    /**
     * Sends {@code write}, with {@code If-None-Match: *} when {@code newObject}; returns the new object's ETag.
     *
     * @throws ObjectExistsException when the key holds an object already (or another conditional write to it is under
     *                               way: S3's 409)
     */
    String completeIfAbsent(boolean newObject, String objectKey, Write write) throws ObjectExistsException {
        if (!newObject) {
            return write.send(null);
        }
        if (!unsupported) {
            try {
                return write.send("*");
            } catch (S3Exception e) {
                if (isConflict(e)) {
                    throw exists(objectKey);
                }
                if (!isNotImplemented(e)) {
                    throw e;
                }
                unsupportedBy(e);
            }
        }
        if (head(objectKey) != null) {
            throw exists(objectKey);
        }
        return write.send(null);
    }

    /** Deletes the object while its ETag is {@code etag}; false when it is another object, or none. */
    boolean deleteIfMatch(String objectKey, String etag) {
        if (!unsupported) {
            try {
                storage.client().deleteObject(r -> r.bucket(storage.bucket()).key(objectKey).ifMatch(etag));
                return true;
            } catch (S3Exception e) {
                if (isConflict(e) || S3Failures.isNotFound(e)) {
                    return false;
                }
                if (!isNotImplemented(e)) {
                    throw e;
                }
                unsupportedBy(e);
            }
        }
        HeadObjectResponse head = head(objectKey);
        if (head == null || !etag.equals(head.eTag())) {
            return false;
        }
        storage.client().deleteObject(r -> r.bucket(storage.bucket()).key(objectKey));
        return true;
    }

    private HeadObjectResponse head(String objectKey) {
        try {
            return storage.client().headObject(r -> r.bucket(storage.bucket()).key(objectKey));
        } catch (S3Exception e) {
            if (S3Failures.isNotFound(e)) {
                return null;
            }
            throw e;
        }
    }

    private void unsupportedBy(S3Exception e) {
        if (!unsupported) {
            unsupported = true;
            LOG.warnf("%s: the server does not implement conditional writes (%s): two runs of one backup are kept"
                    + " apart by looking before writing, which is not atomic", storage.describe(), e.getMessage());
        }
    }

    private ObjectExistsException exists(String objectKey) {
        return new ObjectExistsException(storage.describe() + ": " + objectKey + " already exists");
    }

    private static boolean isConflict(S3Exception e) {
        return e.statusCode() == 412 || e.statusCode() == 409;
    }

    private static boolean isNotImplemented(S3Exception e) {
        return e.statusCode() == 501 || e.awsErrorDetails() != null
                && "NotImplemented".equals(e.awsErrorDetails().errorCode());
    }
}
