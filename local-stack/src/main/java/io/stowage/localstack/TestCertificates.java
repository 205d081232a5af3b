package io.stowage.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates for TLS tests, made with the JDK's keytool: a test CA that signs S3Proxy's server certificate, an
 * unrelated CA to prove that a wrong CA bundle is refused, and SSL contexts that trust exactly one PEM bundle.
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A server's TLS material: the CA certificate clients trust (PEM) and the server's JKS keystore. */
    record ServerTls(Path caPem, Path keystore, String password) {
    }

    private TestCertificates() {
    }

    /**
     * A self-signed CA certificate (PEM) that has signed nothing any server here presents: a client trusting only
     * it must fail the TLS handshake.
     */
    public static Path unrelatedCaPem(Path dir) {
        try {
            Files.createDirectories(dir);
            String password = randomHex(12);
            Path store = dir.resolve("unrelated-ca.p12");
            Path pem = dir.resolve("unrelated-ca.pem");
            Files.deleteIfExists(store);
            Keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=Stowage unrelated test CA " + randomHex(4), "-ext", "bc:c",
                    "-ext", "KU=keyCertSign,cRLSign", "-validity", "3650",
                    "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", password);
            Keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", password,
                    "-file", pem.toString());
            return pem;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make an unrelated test CA in " + dir, e);
        }
    }

    /** A TLS context that trusts the certificates of this PEM bundle and nothing else (not the JDK's own CAs). */
    public static SSLContext trusting(Path caPem) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers(caPem), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make a TLS context trusting " + caPem, e);
        }
    }

    /** Trust managers for this PEM bundle alone, for clients that take those rather than a context (the AWS SDK). */
    public static TrustManager[] trustManagers(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(caPem + " holds no certificate");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            return trust.getTrustManagers();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + caPem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the certificates in " + caPem, e);
        }
    }

    /**
     * A CA and a server certificate it signed for {@code 127.0.0.1} and {@code localhost}, made once per directory and
     * reused afterwards, so that clients configured with the CA keep working across restarts.
     */
    static ServerTls serverTls(Path dir) {
        Path caPem = dir.resolve("ca.pem");
        Path keystore = dir.resolve("server.jks");
        Path passwordFile = dir.resolve("keystore.password");
        try {
            if (Files.exists(keystore) && Files.exists(caPem) && Files.exists(passwordFile)) {
                return new ServerTls(caPem, keystore, Files.readString(passwordFile).strip());
            }
            // Made aside and moved in whole: a half-made set must never be mistaken for one to reuse.
            Path draft = Files.createTempDirectory(dir.toAbsolutePath().getParent(), dir.getFileName() + ".draft-");
            String password = randomHex(16);
            try {
                generate(draft, password);
                LocalFiles.writePrivate(draft.resolve("keystore.password"), password + "\n");
                LocalFiles.deleteTree(dir);
                Files.move(draft, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                LocalFiles.deleteTree(draft);
            }
            return new ServerTls(caPem, keystore, password);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make test certificates in " + dir, e);
        }
    }

    private static void generate(Path dir, String password) {
        String ca = dir.resolve("ca.p12").toString();
        String server = dir.resolve("server.jks").toString();
        String csr = dir.resolve("server.csr").toString();
        String signed = dir.resolve("server.pem").toString();
        // Every keytool run is a JVM start; the CA and the server key do not depend on each other.
        CompletableFuture<Void> caReady = CompletableFuture.runAsync(() -> {
            Keytool.run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=Stowage test CA " + randomHex(4), "-ext", "bc:c", "-ext", "KU=keyCertSign,cRLSign",
                    "-validity", "3650", "-keystore", ca, "-storetype", "PKCS12", "-storepass", password);
            Keytool.run("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password,
                    "-file", dir.resolve("ca.pem").toString());
        });
        Keytool.run("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-validity", "3650",
                "-keystore", server, "-storetype", "JKS", "-storepass", password, "-keypass", password);
        Keytool.run("-certreq", "-alias", "server", "-keystore", server, "-storepass", password, "-file", csr);
        try {
            caReady.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        Keytool.run("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", password, "-infile", csr,
                "-outfile", signed, "-rfc", "-validity", "3650",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KU=digitalSignature", "-ext", "EKU=serverAuth");
        try {
            // The reply with its whole chain, so the server presents the CA too and clients need only the root.
            Path chain = dir.resolve("chain.pem");
            Files.writeString(chain, Files.readString(Path.of(signed)) + Files.readString(dir.resolve("ca.pem")));
            Keytool.run("-importcert", "-alias", "server", "-keystore", server, "-storepass", password,
                    "-keypass", password, "-file", chain.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the certificate chain in " + dir, e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
