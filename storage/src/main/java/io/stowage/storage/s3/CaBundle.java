package io.stowage.storage.s3;

import io.stowage.storage.StorageConfigException;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** A PEM CA bundle (one or more certificates) turned into the only roots a client trusts. */
final class CaBundle {

    private static final Pattern PEM_CERTIFICATE = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+?)-----END CERTIFICATE-----");

    private CaBundle() {
    }

    /**
     * The certificates of a PEM bundle; text around the blocks (comments, bundle headers) is ignored.
     *
     * @param source names the bundle in messages, e.g. {@code secret 's3-ca' key ca.crt}
     */
    static List<X509Certificate> parse(byte[] pem, String source) {
        Matcher m = PEM_CERTIFICATE.matcher(new String(pem, StandardCharsets.US_ASCII));
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(1));
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new StorageConfigException("the CA bundle in " + source + " holds an unreadable certificate: "
                    + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new StorageConfigException("the CA bundle in " + source
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE----- ...)");
        }
        return certificates;
    }

    /** Trust managers that trust exactly these certificates as roots, and nothing else. */
    static TrustManager[] trustManagers(List<X509Certificate> roots) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                store.setCertificateEntry("ca-" + i, roots.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
        }
    }
}
