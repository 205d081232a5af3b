package io.stowage.config.kubernetes;

import io.stowage.config.model.ConfigProblem;
import io.stowage.events.data.TopologyApplied;
import io.stowage.postgres.RecoveryWindow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The status config-service writes on a BackupConfig, from what the last apply made of it: {@code observedGeneration},
 * the {@code main} and {@code profiles} in force, conditions {@code Applied} (False with the refusal, its field named)
 * and {@code Ready} (a topology is in force for the cluster, this generation's or an earlier one), and
 * {@code lastRejection} (kept until a later generation is applied), {@code lastBackup} (id, time, storages),
 * {@code recoverability} (per storage in force, from the catalog) and {@code walArchiving} (the last segment stored,
 * whether archiving lags). A condition keeps its {@code lastTransitionTime} while its status stays the same.
 */
public final class ResourceStatus {
    public static final String APPLIED = "Applied";
    public static final String READY = "Ready";

    /**
     * What the last apply made of one resource, and what is known of the cluster's backups.
     *
     * @param windows what each storage in force can restore (from the catalog); empty when nothing is known
     * @param wal     the cluster's WAL archiving, or null when nothing was seen since this replica started
     */
    public record Outcome(long generation, TopologyApplied inForce, boolean mainImplied, ConfigProblem refusal,
                          String publishFailure, BackupActivity.LastBackup lastBackup, List<RecoveryWindow> windows,
                          BackupActivity.WalArchiving wal) {
        public Outcome(long generation, TopologyApplied inForce, boolean mainImplied, ConfigProblem refusal,
                       String publishFailure) {
            this(generation, inForce, mainImplied, refusal, publishFailure, null);
        }

        public Outcome(long generation, TopologyApplied inForce, boolean mainImplied, ConfigProblem refusal,
                       String publishFailure, BackupActivity.LastBackup lastBackup) {
            this(generation, inForce, mainImplied, refusal, publishFailure, lastBackup, List.of(), null);
        }

        static Outcome applied(long generation, TopologyApplied inForce, boolean mainImplied) {
            return new Outcome(generation, inForce, mainImplied, null, null);
        }
    }

    private ResourceStatus() {
    }

    /** The status to write, given the one the resource has ({@code previous}, empty when none). */
    public static Map<String, Object> of(Outcome o, Map<String, Object> previous, Instant now) {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("observedGeneration", o.generation());
        if (o.inForce() != null && o.inForce().main() != null) {
            status.put("main", o.inForce().main());
        }
        if (o.inForce() != null) {
            status.put("profiles", List.copyOf(o.inForce().profiles()));
        }
        List<Map<String, Object>> conditions = new ArrayList<>();
        if (o.refusal() != null) {
            conditions.add(condition(APPLIED, false, "Refused", describe(o.refusal()), o.generation(), previous, now));
        } else if (o.publishFailure() != null) {
            conditions.add(condition(APPLIED, false, "PublishFailed", "could not publish the change to Kafka ("
                    + o.publishFailure() + "); trying again", o.generation(), previous, now));
        } else {
            conditions.add(condition(APPLIED, true, "Applied", appliedMessage(o), o.generation(), previous, now));
        }
        if (o.inForce() != null) {
            String earlier = o.refusal() == null && o.publishFailure() == null ? ""
                    : " (an earlier generation's: this one is not applied)";
            conditions.add(condition(READY, true, "TopologyInForce", "revision " + o.inForce().revision()
                    + " of the cluster's topology is in force" + earlier, o.generation(), previous, now));
        } else {
            conditions.add(condition(READY, false, "NothingApplied", "no topology of this cluster is in force",
                    o.generation(), previous, now));
        }
        status.put("conditions", conditions);
        if (o.lastBackup() != null) {
            Map<String, Object> backup = new LinkedHashMap<>();
            backup.put("id", o.lastBackup().backupId());
            if (o.lastBackup().time() != null) {
                backup.put("time", o.lastBackup().time().toInstant().toString());
            }
            backup.put("storages", List.copyOf(o.lastBackup().storages()));
            status.put("lastBackup", backup);
        } else if (previous.get("lastBackup") != null) {
            // Learnt before a restart: kept until a newer backup completes.
            status.put("lastBackup", previous.get("lastBackup"));
        }
        if (!o.windows().isEmpty()) {
            status.put("recoverability", o.windows().stream().map(ResourceStatus::window).toList());
        }
        boolean pitr = o.inForce() != null && o.inForce().main() != null && o.inForce().spec() != null
                && o.inForce().spec().pitr() != null && o.inForce().spec().pitr().enabled();
        if (pitr && o.wal() != null) {
            status.put("walArchiving", walArchiving(o.wal(), previous.get("walArchiving")));
        } else if (pitr && previous.get("walArchiving") != null) {
            // Learnt before a restart: kept until the next segment or lag report.
            status.put("walArchiving", previous.get("walArchiving"));
        }
        if (o.refusal() != null) {
            Map<String, Object> rejection = new LinkedHashMap<>();
            rejection.put("generation", o.generation());
            if (o.refusal().field() != null) {
                rejection.put("field", o.refusal().field());
            }
            rejection.put("reason", o.refusal().reason());
            Object before = previous.get("lastRejection");
            boolean same = before instanceof Map<?, ?> b && Objects.equals(asLong(b.get("generation")), o.generation())
                    && Objects.equals(b.get("reason"), o.refusal().reason());
            rejection.put("time", same ? ((Map<?, ?>) before).get("time") : now.toString());
            status.put("lastRejection", rejection);
        }
        return status;
    }

    private static Map<String, Object> window(RecoveryWindow w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("storage", w.storage());
        m.put("backups", w.complete().size());
        if (w.incomplete() > 0) {
            m.put("incompleteBackups", w.incomplete());
        }
        w.oldest().ifPresent(b -> {
            if (b.stopTime() != null) {
                m.put("earliestTime", b.stopTime().toInstant().toString());
            }
            m.put("earliestLsn", b.stopLsn());
        });
        w.latestLsn().ifPresent(lsn -> m.put("latestLsn", lsn));
        if (w.walEnd().isEmpty()) {
            w.newest().filter(b -> b.stopTime() != null)
                    .ifPresent(b -> m.put("latestTime", b.stopTime().toInstant().toString()));
        }
        w.lastSegment().ifPresent(segment -> m.put("walThrough", segment));
        return m;
    }

    private static Map<String, Object> walArchiving(BackupActivity.WalArchiving wal, Object previous) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (wal.lastArchived() != null) {
            m.put("storage", wal.lastArchived().storage());
            m.put("lastSegment", wal.lastArchived().segment());
            if (wal.lastArchived().receivedAt() != null) {
                m.put("lastArchivedTime", wal.lastArchived().receivedAt().toInstant().toString());
            }
        } else if (previous instanceof Map<?, ?> before) {
            // Lag reported before any segment since the start: the last segment known before it.
            for (String key : List.of("storage", "lastSegment", "lastArchivedTime")) {
                if (before.get(key) != null) {
                    m.put(key, before.get(key));
                }
            }
        }
        if (wal.lagging()) {
            m.put("state", "Lagging");
            m.putIfAbsent("storage", wal.lag().storage());
            m.put("queuedSegments", wal.lag().queuedSegments());
            m.put("waitingSeconds", wal.lag().waitingSeconds());
            m.put("queueFull", wal.lag().queueFull());
            if (wal.lag().lastError() != null) {
                m.put("lastError", wal.lag().lastError());
            }
        } else {
            m.put("state", "Archiving");
        }
        return m;
    }

    /** Whether two statuses say the same (so nothing needs writing): compared whole, numbers by value. */
    public static boolean same(Map<String, Object> a, Map<String, Object> b) {
        return Objects.equals(normalised(a), normalised(b));
    }

    private static Object normalised(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), normalised(v)));
            return new java.util.TreeMap<>(copy);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ResourceStatus::normalised).toList();
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return value;
    }

    private static String describe(ConfigProblem p) {
        return (p.field() == null ? "" : p.field() + ": ") + p.reason();
    }

    private static String appliedMessage(Outcome o) {
        if (o.inForce() == null) {
            return "applied";
        }
        if (o.inForce().main() == null) {
            return "no storage: a restore-only cluster";
        }
        return "main storage " + o.inForce().main() + (o.mainImplied() ? " (implied: the only storage)" : "")
                + (o.inForce().profiles().isEmpty() ? ", no profile" : ", profiles "
                + String.join(", ", o.inForce().profiles()));
    }

    private static Map<String, Object> condition(String type, boolean status, String reason, String message,
                                                 long generation, Map<String, Object> previous, Instant now) {
        String value = status ? "True" : "False";
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("type", type);
        c.put("status", value);
        c.put("observedGeneration", generation);
        Object since = previousCondition(previous, type)
                .filter(p -> value.equals(p.get("status"))).map(p -> p.get("lastTransitionTime")).orElse(null);
        c.put("lastTransitionTime", since != null ? since : now.toString());
        c.put("reason", reason);
        c.put("message", message);
        return c;
    }

    private static java.util.Optional<Map<?, ?>> previousCondition(Map<String, Object> previous, String type) {
        if (previous.get("conditions") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && type.equals(m.get("type"))) {
                    return java.util.Optional.of(m);
                }
            }
        }
        return java.util.Optional.empty();
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
