package io.stowage.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerCertificatesTest {
    @TempDir
    Path tmp;

    @Test
    void theBrokerAndEachUserGetACertificateFromOneCaKeptAcrossCalls() throws Exception {
        Path dir = tmp.resolve("tls");
        BrokerCertificates made = BrokerCertificates.ensure(dir, true);
        byte[] caBefore = Files.readAllBytes(made.caPem());

        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(made.caPem()));
        X509Certificate[] broker = chain(made.brokerKeystore(), made.password());
        assertThat(broker[0].getSubjectX500Principal().getName()).isEqualTo("CN=stowage-broker");
        assertThat(broker[0].getSubjectAlternativeNames()).contains(List.of(7, "127.0.0.1"));
        assertThat(broker[0].getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(broker[1]).isEqualTo(ca);
        broker[0].verify(ca.getPublicKey());
        for (BrokerUser user : BrokerUser.values()) {
            X509Certificate[] client = chain(made.clientKeystore(user), made.password());
            assertThat(client[0].getSubjectX500Principal().getName()).isEqualTo("CN=" + user.userName());
            client[0].verify(ca.getPublicKey());
        }

        BrokerCertificates again = BrokerCertificates.ensure(dir, true);
        assertThat(again.password()).isEqualTo(made.password());
        assertThat(Files.readAllBytes(again.caPem())).isEqualTo(caBefore);
        assertThat(made.toString()).doesNotContain(made.password());
        try (var left = Files.list(tmp)) {
            assertThat(left).as("no draft left behind").containsExactly(dir);
        }
    }

    private static X509Certificate[] chain(Path keystore, String password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password.toCharArray());
        }
        // Only the leaf's entry: never the CA's private key.
        List<String> aliases = Collections.list(store.aliases());
        assertThat(aliases).hasSize(1);
        assertThat(store.isKeyEntry(aliases.get(0))).isTrue();
        Certificate[] chain = store.getCertificateChain(aliases.get(0));
        assertThat(chain).hasSize(2);
        return List.of(chain).toArray(X509Certificate[]::new);
    }
}
