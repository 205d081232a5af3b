package io.stowage.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A secured broker's TLS material, made with keytool once per work directory and kept, so that configured clients
 * keep working across restarts: a CA, the broker's certificate (for {@code 127.0.0.1}, server and client use: it also
 * authenticates the broker to its own controller listener), and under mTLS a client certificate per {@link BrokerUser}.
 * Every keystore is PKCS12 with one password; the CA is also a PEM file, which Kafka clients take as their truststore.
 */
record BrokerCertificates(Path dir, String password) {
    /** The common name of the broker's own certificate, a super user: the principal of its controller connections. */
    static final String BROKER_NAME = "stowage-broker";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CA_ALIAS = "ca";
    private static final String PASSWORD_FILE = "keystore.password";

    @Override
    public String toString() {
        return "BrokerCertificates[" + dir + "]"; // never the password
    }

    Path caPem() {
        return dir.resolve("ca.pem");
    }

    Path brokerKeystore() {
        return dir.resolve(BROKER_NAME + ".p12");
    }

    Path clientKeystore(BrokerUser user) {
        return dir.resolve(user.userName() + ".p12");
    }

    /**
     * The certificates kept in {@code dir}, or new ones: the CA, the broker's, and with {@code clientCertificates} one
     * per user.
     */
    static BrokerCertificates ensure(Path dir, boolean clientCertificates) {
        try {
            if (Files.exists(dir.resolve(PASSWORD_FILE))) {
                BrokerCertificates kept = new BrokerCertificates(dir, Files.readString(dir.resolve(PASSWORD_FILE)).strip());
                if (!clientCertificates || Files.exists(kept.clientKeystore(BrokerUser.SERVICE))) {
                    return kept;
                }
            }
            // Made aside and moved in whole: a half-made set must never be mistaken for one to reuse.
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Path draft = Files.createTempDirectory(dir.toAbsolutePath().getParent(), dir.getFileName() + ".draft-");
            try {
                BrokerCertificates made = new BrokerCertificates(draft, randomHex(16));
                made.generate(clientCertificates);
                LocalFiles.writePrivate(draft.resolve(PASSWORD_FILE), made.password + "\n");
                LocalFiles.deleteTree(dir);
                Files.move(draft, dir, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                LocalFiles.deleteTree(draft);
            }
            return new BrokerCertificates(dir, Files.readString(dir.resolve(PASSWORD_FILE)).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the Kafka broker's certificates in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make the Kafka broker's certificates in " + dir, e);
        }
    }

    // Two keytool runs on the critical path (about a second): the CA, then every leaf at once, each signed by
    // keytool -genkeypair -signer in a copy of the CA's keystore and moved to a keystore of its own here, in-process.
    private void generate(boolean clientCertificates) throws IOException, GeneralSecurityException {
        Path caStore = dir.resolve("ca.p12");
        Keytool.runWithPassword(password, "-genkeypair", "-alias", CA_ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=Stowage Kafka test CA " + randomHex(4), "-ext", "bc:c", "-ext", "KU=keyCertSign,cRLSign",
                "-validity", "3650", "-keystore", caStore.toString(), "-storetype", "PKCS12");
        KeyStore ca = load(caStore);
        writePem(ca.getCertificate(CA_ALIAS), caPem());

        List<CompletableFuture<Void>> leaves = new ArrayList<>();
        leaves.add(CompletableFuture.runAsync(() -> leaf(caStore, BROKER_NAME, brokerKeystore(),
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KU=digitalSignature",
                "-ext", "EKU=serverAuth,clientAuth")));
        if (clientCertificates) {
            for (BrokerUser user : BrokerUser.values()) {
                leaves.add(CompletableFuture.runAsync(() -> leaf(caStore, user.userName(), clientKeystore(user),
                        "-ext", "KU=digitalSignature", "-ext", "EKU=clientAuth")));
            }
        }
        try {
            CompletableFuture.allOf(leaves.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private void leaf(Path caStore, String commonName, Path keystore, String... extensions) {
        Path signing = dir.resolve(commonName + ".signing.p12");
        try {
            Files.copy(caStore, signing);
            List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", commonName, "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=" + commonName, "-signer", CA_ALIAS, "-validity", "3650",
                    "-keystore", signing.toString(), "-storetype", "PKCS12"));
            args.addAll(List.of(extensions));
            Keytool.runWithPassword(password, args.toArray(String[]::new));
            // The signing copy holds the CA's key too: only the leaf's key and chain (leaf, CA) go to its keystore.
            KeyStore source = load(signing);
            Key key = source.getKey(commonName, password.toCharArray());
            Certificate[] chain = source.getCertificateChain(commonName);
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            own.setKeyEntry(commonName, key, password.toCharArray(), chain);
            try (OutputStream out = Files.newOutputStream(keystore)) {
                own.store(out, password.toCharArray());
            }
            Files.delete(signing);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make the certificate of " + commonName + " in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot make the certificate of " + commonName + " in " + dir, e);
        }
    }

    private KeyStore load(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return store;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot read the keystore " + file, e);
        }
    }

    private static void writePem(Certificate certificate, Path file) throws IOException {
        try {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encode the CA certificate", e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
