package io.stowage.bus.quarkus.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.stowage.localstack.SharedKafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * For a service's {@code @QuarkusTest}: the JVM's shared real Kafka broker (with the contract's topics), and fresh
 * folders for whatever the service keeps on disk (the settings named by the {@code folders} argument, comma
 * separated), so a wiring test starts the service as it runs.
 */
public class SharedKafkaResource implements QuarkusTestResourceLifecycleManager {
    private String folders = "";

    @Override
    public void init(Map<String, String> initArgs) {
        folders = initArgs.getOrDefault("folders", "");
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
        config.put("stowage.instance-id", "wiring-test");
        // The build passes stowage.kafka.libs and stowage.s3proxy.jar (for the ITs) as system properties: not the
        // service's settings, which would refuse them as unknown.
        config.put("smallrye.config.mapping.validate-unknown", "false");
        try {
            Path work = Files.createTempDirectory("stowage-quarkus-test-");
            for (String setting : folders.split(",")) {
                if (!setting.isBlank()) {
                    config.put(setting.trim(), Files.createDirectories(work.resolve(setting.trim())).toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    @Override
    public void stop() {
        // The broker is the JVM's: it stops at exit.
    }
}
