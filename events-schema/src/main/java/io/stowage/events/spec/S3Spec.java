package io.stowage.events.spec;

/** An S3 (or S3-compatible) storage; credentials and CA bundle are secret names. */
public record S3Spec(
        String bucket,
        String region,
        String endpointUrl,
        String prefix,
        Boolean forcePathStyle,
        String credentialsSecret,
        String caBundleSecret,
        Boolean insecureSkipTLSVerify) {
}
