package io.stowage.config.topology;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stowage.config.model.ClusterConfig;
import io.stowage.config.model.ConfigDocument;

/** Test configs written the way users write them: YAML. */
final class Configs {
    private static final YAMLMapper YAML = new YAMLMapper();

    private Configs() {
    }

    static ConfigDocument doc(String source, String yaml) {
        try {
            JsonNode node = YAML.readTree(yaml);
            return new ConfigDocument(source, 1, node);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ClusterConfig valid(String yaml) {
        ConfigValidator.Result r = ConfigValidator.validate(doc("test.yaml", yaml));
        if (!r.valid()) {
            throw new AssertionError("expected valid, got " + r.problems());
        }
        return r.config();
    }

    /** A cluster with filesystem storages a and b (and more), {@code main} marking one of them. */
    static String twoStorages(String cluster, String main) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres: {host: 127.0.0.1, port: 5432, user: postgres}
                  pitr: {enabled: true}
                  storages:
                    a:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/backups/a}
                    b:
                      main: %s
                      type: filesystem
                      filesystem: {path: /srv/backups/b}
                """.formatted(cluster, "a".equals(main), "b".equals(main));
    }

    static String header(String cluster) {
        return """
                apiVersion: stowage.io/v1alpha1
                kind: BackupConfig
                metadata:
                  name: %s
                spec:
                  postgres: {host: 127.0.0.1, user: postgres}
                """.formatted(cluster);
    }
}
