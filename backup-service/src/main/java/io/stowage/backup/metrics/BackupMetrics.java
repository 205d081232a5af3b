package io.stowage.backup.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What backup-service tells Prometheus about base backups, per cluster: started, completed and failed (refusals
 * included), how long they took and how many bytes they read and stored, and per storage when the last one
 * succeeded ({@code stowage_backup_last_success_timestamp_seconds}, for "last backup too old" alerts).
 */
public final class BackupMetrics {
    private final MeterRegistry registry;
    private final Map<List<String>, AtomicLong> lastSuccess = new ConcurrentHashMap<>();

    public BackupMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void started(String cluster) {
        registry.counter("stowage.backup.started", "cluster", cluster).increment();
    }

    public void completed(String cluster, List<String> storages, Duration took, long bytesRead, long bytesStored,
                          Instant at) {
        registry.counter("stowage.backup.completed", "cluster", cluster).increment();
        Timer.builder("stowage.backup.duration").description("A base backup, from its start to its manifests")
                .tag("cluster", cluster).register(registry).record(took);
        DistributionSummary.builder("stowage.backup.read").baseUnit("bytes")
                .description("Bytes of tar read from PostgreSQL per backup").tag("cluster", cluster)
                .register(registry).record(bytesRead);
        DistributionSummary.builder("stowage.backup.stored").baseUnit("bytes")
                .description("Bytes stored per backup, all storages together").tag("cluster", cluster)
                .register(registry).record(bytesStored);
        for (String storage : storages) {
            lastSuccess.computeIfAbsent(List.of(cluster, storage), key -> {
                AtomicLong seconds = new AtomicLong();
                Gauge.builder("stowage.backup.last.success.timestamp", seconds, AtomicLong::doubleValue)
                        .description("When the last backup to this storage completed (Unix time)")
                        .baseUnit("seconds").tags("cluster", cluster, "storage", storage)
                        .strongReference(true).register(registry);
                return seconds;
            }).set(at.getEpochSecond());
        }
    }

    public void failed(String cluster) {
        registry.counter("stowage.backup.failed", "cluster", cluster).increment();
    }
}
