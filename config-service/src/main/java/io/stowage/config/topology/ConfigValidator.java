package io.stowage.config.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.config.model.ClusterConfig;
import io.stowage.config.model.ConfigDocument;
import io.stowage.config.model.ConfigProblem;
import io.stowage.events.EventJson;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.RetentionAge;
import io.stowage.events.spec.ScheduleTimes;
import io.stowage.events.spec.StorageSpec;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Checks one BackupConfig document and resolves its roles. Every refusal names the field and says what to do;
 * the words match the CRD's validation messages, so Kubernetes and local users read the same thing.
 */
public final class ConfigValidator {
    public static final String API_GROUP = "stowage.io/";
    public static final String API_VERSION = "stowage.io/v1alpha1";
    public static final String KIND = "BackupConfig";
    public static final String RESYNC_ANNOTATION = "stowage.io/resync";

    private static final Pattern SECRET_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern CLUSTER_PART = Pattern.compile("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");

    private static final Set<String> SPEC_FIELDS = Set.of("postgres", "pitr", "storages", "schedules");
    private static final Set<String> POSTGRES_FIELDS = Set.of("host", "port", "user", "passwordSecret", "dataDirectory",
            "binDirectory", "osUser");
    private static final Set<String> PITR_FIELDS = Set.of("enabled");
    private static final Set<String> STORAGE_FIELDS = Set.of("main", "type", "s3", "filesystem", "retention");
    private static final Set<String> RETENTION_FIELDS = Set.of("keep", "maxAge");
    private static final Set<String> SCHEDULE_FIELDS = Set.of("name", "schedule", "timezone", "storages", "enabled");
    private static final Pattern SCHEDULE_NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    private static final Set<String> S3_FIELDS = Set.of("bucket", "region", "endpointUrl", "prefix", "forcePathStyle",
            "credentialsSecret", "caBundleSecret", "insecureSkipTLSVerify");
    private static final Set<String> FILESYSTEM_FIELDS = Set.of("path", "prefix");
    /** Field names people use when they paste a key instead of naming a secret. */
    private static final Set<String> LITERAL_SECRET_FIELDS = Set.of("password", "accesskey", "accesskeyid", "secretkey",
            "secretaccesskey", "aws_access_key_id", "aws_secret_access_key", "sessiontoken", "cabundle", "ca.crt", "ca");

    /** The outcome for one document: the resolved config, or the problems (never both). */
    public record Result(ClusterConfig config, List<ConfigProblem> problems) {
        public boolean valid() {
            return config != null;
        }
    }

    private ConfigValidator() {
    }

    /** True for documents this service owns: other kinds in the same GitOps folder are none of its business. */
    public static boolean isBackupConfig(ConfigDocument doc) {
        return KIND.equals(doc.node().path("kind").asText(null))
                || doc.node().path("apiVersion").asText("").startsWith(API_GROUP);
    }

    public static Result validate(ConfigDocument doc) {
        Problems p = new Problems(doc);
        JsonNode node = doc.node();
        if (!node.isObject()) {
            p.add(null, null, "a document must be a BackupConfig object");
            return p.result();
        }
        if (!API_VERSION.equals(node.path("apiVersion").asText(null))) {
            p.add(null, "apiVersion", "must be " + API_VERSION);
        }
        if (!KIND.equals(node.path("kind").asText(null))) {
            p.add(null, "kind", "must be " + KIND);
        }
        String cluster = clusterId(node.path("metadata"), p);
        p.cluster = cluster;
        JsonNode spec = node.path("spec");
        if (!spec.isObject()) {
            p.add(cluster, "spec", "is required");
            return p.result();
        }
        unknownFields(spec, "spec", SPEC_FIELDS, p);
        checkPostgres(spec.path("postgres"), p);
        checkPitr(spec.path("pitr"), p);
        Map<String, StorageSpec> storages = checkStorages(spec.path("storages"), p);
        checkSchedules(spec.path("schedules"), spec.path("storages"), p);
        if (!p.problems.isEmpty()) {
            return p.result();
        }
        BackupConfigSpec parsed;
        try {
            parsed = EventJson.MAPPER.treeToValue(spec, BackupConfigSpec.class);
        } catch (Exception e) {
            p.add(cluster, "spec", "cannot be read: " + e.getClass().getSimpleName());
            return p.result();
        }
        return resolveRoles(doc, cluster, parsed, storages, annotation(node), p);
    }

    private static Result resolveRoles(ConfigDocument doc, String cluster, BackupConfigSpec parsed,
                                       Map<String, StorageSpec> storages, boolean resync, Problems p) {
        List<String> mains = storages.entrySet().stream().filter(e -> e.getValue().isMarkedMain()).map(Map.Entry::getKey).toList();
        boolean implied = false;
        String main;
        if (mains.size() > 1) {
            p.add(cluster, "spec.storages", "several storages have main: true: mark exactly one with main: true ("
                    + String.join(", ", mains) + ")");
            return p.result();
        } else if (mains.isEmpty() && storages.size() > 1) {
            p.add(cluster, "spec.storages", "several storages but no main: mark exactly one with main: true ("
                    + String.join(", ", storages.keySet()) + ")");
            return p.result();
        } else if (storages.isEmpty()) {
            main = null;
        } else if (mains.isEmpty()) {
            main = storages.keySet().iterator().next();
            implied = true;
        } else {
            main = mains.get(0);
        }
        List<String> profiles = storages.keySet().stream().filter(n -> !n.equals(main)).sorted().toList();
        Map<String, StorageSpec> resolved = new TreeMap<>();
        storages.forEach((name, s) -> resolved.put(name, s.withMain(name.equals(main))));
        checkDistinctLocations(cluster, resolved, p);
        if (!p.problems.isEmpty()) {
            return p.result();
        }
        BackupConfigSpec spec = new BackupConfigSpec(parsed.postgres(), parsed.pitr(), resolved, parsed.schedules());
        return new Result(new ClusterConfig(cluster, doc.source(), doc.index(), spec, main, profiles, implied, resync),
                List.of());
    }

    private static void checkDistinctLocations(String cluster, Map<String, StorageSpec> storages, Problems p) {
        List<String> names = new ArrayList<>(storages.keySet());
        for (int i = 0; i < names.size(); i++) {
            for (int j = i + 1; j < names.size(); j++) {
                var a = storages.get(names.get(i)).location(cluster);
                var b = storages.get(names.get(j)).location(cluster);
                if (Locations.overlap(a, b)) {
                    p.add(cluster, "spec.storages." + names.get(j), "points at the same location as storage "
                            + names.get(i) + " (" + a.describe() + "): a profile and the main must be distinct places");
                }
            }
        }
    }

    private static String clusterId(JsonNode metadata, Problems p) {
        String name = metadata.path("name").asText(null);
        if (name == null || name.isBlank()) {
            p.add(null, "metadata.name", "is required: it is the cluster id");
            return null;
        }
        if (!CLUSTER_PART.matcher(name).matches()) {
            p.add(null, "metadata.name", "must be lowercase letters, digits, '-' and '.' (a Kubernetes name)");
            return null;
        }
        String namespace = metadata.path("namespace").asText(null);
        if (namespace != null && !CLUSTER_PART.matcher(namespace).matches()) {
            p.add(null, "metadata.namespace", "must be a Kubernetes namespace name");
            return null;
        }
        return namespace == null ? name : namespace + "/" + name;
    }

    private static boolean annotation(JsonNode node) {
        return "true".equalsIgnoreCase(node.path("metadata").path("annotations").path(RESYNC_ANNOTATION).asText(""));
    }

    private static void checkPostgres(JsonNode pg, Problems p) {
        if (pg.isMissingNode() || pg.isNull()) {
            p.add(p.cluster, "spec.postgres", "is required: how Stowage reaches the database (host, user)");
            return;
        }
        if (!pg.isObject()) {
            p.add(p.cluster, "spec.postgres", "must be an object");
            return;
        }
        unknownFields(pg, "spec.postgres", POSTGRES_FIELDS, p);
        requireText(pg, "spec.postgres", "host", p);
        requireText(pg, "spec.postgres", "user", p);
        JsonNode port = pg.path("port");
        if (!port.isMissingNode() && (!port.canConvertToInt() || !port.isIntegralNumber() || port.asInt() < 1
                || port.asInt() > 65535)) {
            p.add(p.cluster, "spec.postgres.port", "must be a port number from 1 to 65535");
        }
        for (String f : List.of("dataDirectory", "binDirectory", "osUser")) {
            optionalText(pg, "spec.postgres", f, p);
        }
        secretName(pg, "spec.postgres", "passwordSecret", p);
    }

    private static void checkPitr(JsonNode pitr, Problems p) {
        if (pitr.isMissingNode() || pitr.isNull()) {
            return;
        }
        if (!pitr.isObject()) {
            p.add(p.cluster, "spec.pitr", "must be an object");
            return;
        }
        unknownFields(pitr, "spec.pitr", PITR_FIELDS, p);
        if (!pitr.path("enabled").isMissingNode() && !pitr.path("enabled").isBoolean()) {
            p.add(p.cluster, "spec.pitr.enabled", "must be true or false");
        }
    }

    private static Map<String, StorageSpec> checkStorages(JsonNode storages, Problems p) {
        Map<String, StorageSpec> result = new LinkedHashMap<>();
        if (storages.isMissingNode() || storages.isNull()) {
            // A restore-only cluster (a disaster-recovery site): no storage until a restore brings a backupSource.
            return result;
        }
        if (!storages.isObject()) {
            p.add(p.cluster, "spec.storages", "must be a map of storage name to storage (or left out)");
            return result;
        }
        Iterator<Map.Entry<String, JsonNode>> it = storages.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = "spec.storages." + e.getKey();
            int before = p.problems.size();
            if (!CLUSTER_PART.matcher(e.getKey()).matches()) {
                p.add(p.cluster, at, "a storage name must be lowercase letters, digits, '-' and '.'");
            }
            checkStorage(e.getValue(), at, p);
            if (p.problems.size() == before) {
                result.put(e.getKey(), EventJson.read(e.getValue(), StorageSpec.class));
            }
        }
        return result;
    }

    private static void checkStorage(JsonNode s, String at, Problems p) {
        if (!s.isObject()) {
            p.add(p.cluster, at, "must be an object with a type");
            return;
        }
        unknownFields(s, at, STORAGE_FIELDS, p);
        JsonNode main = s.path("main");
        if (!main.isMissingNode() && !main.isBoolean()) {
            p.add(p.cluster, at + ".main", "must be true or false");
        }
        String type = s.path("type").asText(null);
        if (type == null) {
            p.add(p.cluster, at + ".type", "is required: s3 or filesystem");
        } else if (type.equals("s3")) {
            checkS3(s.path("s3"), at + ".s3", p);
        } else if (type.equals("filesystem")) {
            checkFilesystem(s.path("filesystem"), at + ".filesystem", p);
        } else {
            p.add(p.cluster, at + ".type", "unknown type '" + type + "': use s3 or filesystem");
        }
        checkRetention(s.path("retention"), at + ".retention", p);
    }

    private static void checkRetention(JsonNode retention, String at, Problems p) {
        if (retention.isMissingNode() || retention.isNull()) {
            return;
        }
        if (!retention.isObject()) {
            p.add(p.cluster, at, "must be an object: keep, maxAge (both optional)");
            return;
        }
        unknownFields(retention, at, RETENTION_FIELDS, p);
        JsonNode keep = retention.path("keep");
        if (!keep.isMissingNode() && (!keep.isIntegralNumber() || !keep.canConvertToInt() || keep.asInt() < 1)) {
            p.add(p.cluster, at + ".keep", "must be a whole number of at least 1 (the newest complete backup is "
                    + "always kept)");
        }
        JsonNode maxAge = retention.path("maxAge");
        if (!maxAge.isMissingNode()) {
            try {
                RetentionAge.parse(maxAge.isTextual() ? maxAge.asText() : maxAge.toString());
            } catch (IllegalArgumentException e) {
                p.add(p.cluster, at + ".maxAge", e.getMessage());
            }
        }
    }

    private static void checkSchedules(JsonNode schedules, JsonNode storages, Problems p) {
        if (schedules.isMissingNode() || schedules.isNull()) {
            return;
        }
        if (!schedules.isArray()) {
            p.add(p.cluster, "spec.schedules", "must be a list of schedules (name, schedule, ...)");
            return;
        }
        Set<String> storageNames = new TreeSet<>();
        storages.fieldNames().forEachRemaining(storageNames::add);
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < schedules.size(); i++) {
            JsonNode s = schedules.get(i);
            String at = "spec.schedules[" + i + "]";
            if (!s.isObject()) {
                p.add(p.cluster, at, "must be an object with a name and a schedule");
                continue;
            }
            unknownFields(s, at, SCHEDULE_FIELDS, p);
            String name = s.path("name").isTextual() ? s.path("name").asText() : null;
            if (s.path("name").isBoolean()) {
                p.add(p.cluster, at + ".name", "must be text: quote it (YAML reads on, off, yes and no as true or "
                        + "false)");
            } else if (name == null || name.length() > 63 || !SCHEDULE_NAME.matcher(name).matches()) {
                p.add(p.cluster, at + ".name", "is required: lowercase letters, digits and '-', at most 63 (it names "
                        + "the schedule's backups)");
            } else if (!names.add(name)) {
                p.add(p.cluster, at + ".name", "'" + name + "' is the name of another schedule: names are unique in"
                        + " a cluster");
            }
            optionalText(s, at, "timezone", p);
            if (!s.path("schedule").isTextual()) {
                p.add(p.cluster, at + ".schedule", "is required: a cron expression of 5 fields, e.g. \"0 2 * * *\"");
            } else if (s.path("timezone").isMissingNode() || s.path("timezone").isTextual()) {
                try {
                    ScheduleTimes.of(s.path("schedule").asText(), s.path("timezone").asText(null));
                } catch (IllegalArgumentException e) {
                    String field = e.getMessage().contains("time zone") ? ".timezone" : ".schedule";
                    p.add(p.cluster, at + field, e.getMessage());
                }
            }
            JsonNode enabled = s.path("enabled");
            if (!enabled.isMissingNode() && !enabled.isBoolean()) {
                p.add(p.cluster, at + ".enabled", "must be true or false");
            }
            checkScheduleStorages(s.path("storages"), at + ".storages", storageNames, p);
        }
    }

    private static void checkScheduleStorages(JsonNode storages, String at, Set<String> known, Problems p) {
        if (storages.isMissingNode() || storages.isNull() || (storages.isArray() && storages.isEmpty())) {
            if (known.isEmpty()) {
                p.add(p.cluster, at, "the cluster has no storage to back up to: add one under spec.storages");
            }
            return;
        }
        if (!storages.isArray()) {
            p.add(p.cluster, at, "must be a list of storage names");
            return;
        }
        Set<String> seen = new java.util.HashSet<>();
        for (JsonNode storage : storages) {
            if (!storage.isTextual() || !known.contains(storage.asText())) {
                p.add(p.cluster, at, "unknown storage " + storage + " (storages: " + String.join(", ", known) + ")");
            } else if (!seen.add(storage.asText())) {
                p.add(p.cluster, at, "names storage '" + storage.asText() + "' twice");
            }
        }
    }

    private static void checkS3(JsonNode s3, String at, Problems p) {
        if (!s3.isObject() || s3.path("bucket").asText("").isBlank()) {
            p.add(p.cluster, at + ".bucket", "type s3 requires s3.bucket");
            return;
        }
        unknownFields(s3, at, S3_FIELDS, p);
        for (String f : List.of("bucket", "region", "endpointUrl", "prefix")) {
            optionalText(s3, at, f, p);
        }
        for (String f : List.of("forcePathStyle", "insecureSkipTLSVerify")) {
            if (!s3.path(f).isMissingNode() && !s3.path(f).isBoolean()) {
                p.add(p.cluster, at + "." + f, "must be true or false");
            }
        }
        String endpoint = s3.path("endpointUrl").asText(null);
        if (endpoint != null && !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
            p.add(p.cluster, at + ".endpointUrl", "must start with http:// or https://");
        }
        secretName(s3, at, "credentialsSecret", p);
        secretName(s3, at, "caBundleSecret", p);
    }

    private static void checkFilesystem(JsonNode fs, String at, Problems p) {
        if (!fs.isObject() || fs.path("path").asText("").isBlank()) {
            p.add(p.cluster, at + ".path", "type filesystem requires filesystem.path");
            return;
        }
        unknownFields(fs, at, FILESYSTEM_FIELDS, p);
        optionalText(fs, at, "path", p);
        optionalText(fs, at, "prefix", p);
    }

    private static void secretName(JsonNode parent, String at, String field, Problems p) {
        JsonNode v = parent.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return;
        }
        String name = v.asText("");
        if (!v.isTextual() || name.length() > 253 || !SECRET_NAME.matcher(name).matches()) {
            // Never echo the value: it may be the very key that must not be written anywhere.
            p.add(p.cluster, at + "." + field, "must name a secret (lowercase letters, digits, '-', '.'), "
                    + "not hold a key: put the key in a secret and give the secret's name here");
        }
    }

    private static void unknownFields(JsonNode node, String at, Set<String> known, Problems p) {
        node.fieldNames().forEachRemaining(f -> {
            if (known.contains(f)) {
                return;
            }
            if (LITERAL_SECRET_FIELDS.contains(f.toLowerCase())) {
                p.add(p.cluster, at + "." + f, "a literal key in place of a secret name: keys live in secrets; "
                        + "name the secret instead (credentialsSecret, caBundleSecret, passwordSecret)");
            } else {
                p.add(p.cluster, at + "." + f, "unknown field (known: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        });
    }

    private static void requireText(JsonNode parent, String at, String field, Problems p) {
        if (!parent.path(field).isTextual() || parent.path(field).asText().isBlank()) {
            p.add(p.cluster, at + "." + field, "is required");
        }
    }

    private static void optionalText(JsonNode parent, String at, String field, Problems p) {
        JsonNode v = parent.path(field);
        if (!v.isMissingNode() && !v.isNull() && !v.isTextual()) {
            p.add(p.cluster, at + "." + field, "must be a string");
        }
    }

    /** Collects the problems of one document. */
    private static final class Problems {
        final ConfigDocument doc;
        final List<ConfigProblem> problems = new ArrayList<>();
        String cluster;

        Problems(ConfigDocument doc) {
            this.doc = doc;
        }

        void add(String clusterId, String field, String reason) {
            problems.add(new ConfigProblem(doc.source(), doc.index(), clusterId, field, reason));
        }

        Result result() {
            return new Result(null, List.copyOf(problems));
        }
    }
}
