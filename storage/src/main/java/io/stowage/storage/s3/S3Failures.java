package io.stowage.storage.s3;

import io.stowage.storage.NoSuchObjectException;
import io.stowage.storage.StorageException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Turns SDK exceptions into messages that name the storage, the key and the likely cause. */
final class S3Failures {

    private final String storage;
    private final String bucket;
    private final String endpoint;
    private final String trustSource;
    private final String credentials;

    S3Failures(String storage, String bucket, String endpoint, String trustSource, String credentialsSecret) {
        this.storage = storage;
        this.bucket = bucket;
        this.endpoint = endpoint == null ? "AWS S3" : endpoint;
        this.trustSource = trustSource;
        this.credentials = credentialsSecret == null || credentialsSecret.isBlank()
                ? "the default AWS credentials chain"
                : "secret '" + credentialsSecret + "'";
    }

    /** A failure of {@code what} (e.g. "upload of backups/x/base.tar.zst") as a storage exception. */
    StorageException translate(String what, Throwable e) {
        if (e instanceof StorageException storageException) {
            return storageException;
        }
        String prefix = storage + ": " + what + " failed: ";
        if (isUntrustedCertificate(e)) {
            return new StorageException(prefix + "TLS handshake with " + endpoint + " failed: the server's"
                    + " certificate is not trusted by " + trustSource + " (" + rootMessage(e) + ")", e);
        }
        if (has(e, SSLPeerUnverifiedException.class)) {
            return new StorageException(prefix + "TLS: the server's certificate does not match the host name of "
                    + endpoint + " (" + rootMessage(e) + ")", e);
        }
        if (e instanceof NoSuchKeyException) {
            return new NoSuchObjectException(storage + ": no object for " + what);
        }
        if (e instanceof NoSuchBucketException) {
            return new StorageException(prefix + "bucket '" + bucket + "' does not exist at " + endpoint, e);
        }
        if (e instanceof S3Exception s3) {
            if (s3.statusCode() == 403) {
                return new StorageException(prefix + "access denied by " + endpoint + " (check the credentials in "
                        + credentials + "): " + errorMessage(s3), e);
            }
            // 412: the If-Match of a later range failed. 416: that range lies past the object's end, though
            // inside the size the first range gave: it shrank (servers that check Range before If-Match say so).
            if (s3.statusCode() == 412 || s3.statusCode() == 416) {
                return new StorageException(prefix + "the object changed while it was being read", e);
            }
            return new StorageException(prefix + errorMessage(s3), e);
        }
        if (e instanceof SdkException) {
            return new StorageException(prefix + "cannot reach " + endpoint + ": " + rootMessage(e), e);
        }
        return new StorageException(prefix + e, e);
    }

    static boolean isNotFound(Throwable e) {
        return e instanceof NoSuchKeyException || e instanceof S3Exception s3 && s3.statusCode() == 404;
    }

    private static boolean isUntrustedCertificate(Throwable e) {
        return has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)
                || has(e, CertificateException.class)
                || has(e, SSLHandshakeException.class) && String.valueOf(rootMessage(e)).contains("certification path");
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    private static String errorMessage(S3Exception e) {
        var details = e.awsErrorDetails();
        String code = details == null ? null : details.errorCode();
        String message = details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
        return message + " (HTTP " + e.statusCode() + (code == null ? "" : ", " + code) + ")";
    }
}
