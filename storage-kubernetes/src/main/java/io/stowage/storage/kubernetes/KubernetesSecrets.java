package io.stowage.storage.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.stowage.storage.MissingSecretException;
import io.stowage.storage.SecretSource;
import io.stowage.storage.SecretsFolder;
import io.stowage.storage.StorageConfigException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Secrets read from the Kubernetes API, by name, in the namespace of the cluster that names them (the cluster id is
 * {@code namespace/name}; a cluster id without a namespace reads from {@code defaultNamespace}). Read when asked for,
 * never cached: a rotated Secret is used by the next storage opened or the next connection made. Only
 * {@code get} of one Secret by name: nothing is listed or watched.
 */
public final class KubernetesSecrets implements SecretSource {
    private final KubernetesClient client;
    private final String namespace;

    /** Reads from {@code namespace} until {@link #forCluster(String)} says otherwise. */
    public KubernetesSecrets(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /**
     * The secret source a service setting names: {@code folder} (the secrets folder: local mode, or Secrets mounted
     * as volumes) or {@code kubernetes} (the API, each cluster's namespace; {@code namespace} for ids without one,
     * else the client's own namespace).
     */
    public static SecretSource named(String source, Path folder, Supplier<KubernetesClient> client,
                                     Optional<String> namespace) {
        return switch (source.strip()) {
            case "folder" -> new SecretsFolder(folder.toAbsolutePath());
            case "kubernetes" -> {
                KubernetesClient c = client.get();
                yield new KubernetesSecrets(c, namespace.orElseGet(() -> c.getNamespace() == null ? "default"
                        : c.getNamespace()));
            }
            default -> throw new IllegalArgumentException("stowage.secrets-source=" + source
                    + ": name folder or kubernetes");
        };
    }

    /** The namespace of a cluster id {@code namespace/name}; {@code fallback} for an id without one. */
    public static String namespaceOf(String cluster, String fallback) {
        int slash = cluster == null ? -1 : cluster.indexOf('/');
        return slash > 0 ? cluster.substring(0, slash) : fallback;
    }

    @Override
    public SecretSource forCluster(String cluster) {
        String of = namespaceOf(cluster, namespace);
        return of.equals(namespace) ? this : new KubernetesSecrets(client, of);
    }

    @Override
    public byte[] read(String secret, String key) {
        String where = "Secret " + namespace + "/" + secret;
        Secret s;
        try {
            s = client.secrets().inNamespace(namespace).withName(secret).get();
        } catch (KubernetesClientException e) {
            throw new StorageConfigException("cannot read " + where + " from the Kubernetes API (HTTP " + e.getCode()
                    + (e.getCode() == 403 ? ": the service account may not get Secrets in namespace " + namespace
                    : "") + ")", e);
        }
        if (s == null) {
            throw new MissingSecretException(secret, key, where + " not found");
        }
        if (s.getData() != null && s.getData().get(key) != null) {
            return Base64.getDecoder().decode(s.getData().get(key));
        }
        if (s.getStringData() != null && s.getStringData().get(key) != null) {
            return s.getStringData().get(key).getBytes(StandardCharsets.UTF_8);
        }
        throw new MissingSecretException(secret, key, where + " has no key '" + key + "'");
    }

    @Override
    public String toString() {
        return "Kubernetes Secrets in namespace " + namespace;
    }
}
