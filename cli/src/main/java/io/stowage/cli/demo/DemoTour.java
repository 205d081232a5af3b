package io.stowage.cli.demo;

import io.stowage.bus.BusReader;
import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;
import io.stowage.cli.backup.BackupRun;
import io.stowage.cli.bus.AppliedTopologies;
import io.stowage.cli.bus.TopologyHistory;
import io.stowage.cli.render.EventLine;
import io.stowage.cli.render.StorageListReport;
import io.stowage.cli.render.Table;
import io.stowage.cli.render.Text;
import io.stowage.cli.restore.RestoreRun;
import io.stowage.cli.restore.StepMarks;
import io.stowage.cli.stack.LocalBroker;
import io.stowage.cli.stack.LocalPostgres;
import io.stowage.cli.stack.LocalS3;
import io.stowage.cli.stack.LocalStack;
import io.stowage.cli.stack.ServiceProcess;
import io.stowage.events.Topics;
import io.stowage.events.data.BackupCompleted;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.localstack.PostgresCluster;
import io.stowage.localstack.S3ProxyServer;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The newcomer's tour: a demo PostgreSQL with sample data, its config with two storages (a folder and the local S3
 * server), one base backup written to both, where its files landed, and then the main storage switched by editing
 * the YAML, with the four events config-service writes for it in one transaction; last, a restore drill: that
 * backup restored from the storage that is now a profile into a new instance, checked and removed. Re-runnable: what is there is
 * reused, and each run moves the main to the other storage.
 */
public final class DemoTour {
    /**
     * Rows of sample data in the demo's database: some 130 MB, made in a few seconds; its backup (about 45 MB of zstd
     * on each storage) runs long enough for backup-service's progress events, every 2 s, to show.
     */
    static final int SAMPLE_ROWS = 1_000_000;
    static final Duration WAIT = Duration.ofSeconds(30);
    /** backup-service's first word about the request: it takes requests one at a time, and the demo's is alone. */
    static final Duration BACKUP_ANSWER_WAIT = Duration.ofSeconds(60);
    static final Duration BACKUP_WAIT = Duration.ofMinutes(10);
    static final Duration RESTORE_WAIT = Duration.ofMinutes(10);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final List<String> TOPICS = List.of(Topics.STORAGE, Topics.RESYNC, Topics.TOPOLOGY);

    private final LocalStack stack;
    private final PrintWriter out;
    private final boolean terminal;
    private final EventLine lines = new EventLine(ZoneId.systemDefault());
    private int step;
    private int steps;

    /** @param terminal whether {@code out} is a terminal: the progress bar is then redrawn in place */
    public DemoTour(LocalStack stack, PrintWriter out, boolean terminal) {
        this.stack = stack;
        this.out = out;
        this.terminal = terminal;
    }

    public void run() {
        ServiceProcess configService = service("config-service");
        if (!configService.isBuilt()) {
            throw new CliFailure("the demo needs config-service, which is not built yet (" + configService.jar()
                    + "): run ./mvnw -B -q -DskipTests install");
        }
        if (!stack.s3().isBuilt()) {
            throw new CliFailure("the demo needs the local S3 server, which is not built yet (" + stack.s3().jar()
                    + "): run ./mvnw -B -q -DskipTests install");
        }
        KafkaConnection kafka = stack.isUp() ? stack.broker().connection() : startStack();
        S3ProxyServer s3 = stack.s3().running().orElseThrow(() -> new CliFailure("the local S3 server is not"
                + " running although the stack is up; see " + stack.s3().workDir().resolve("s3proxy.log")));
        ServiceProcess backupService = service("backup-service");
        boolean backups = backupService.isBuilt();
        boolean drill = backups && service("restore-service").isBuilt() && service("resync-service").isBuilt();
        steps = backups ? (drill ? 5 : 4) : 2;

        out.println("The demo: cluster \"" + DemoConfig.CLUSTER + "\""
                + (backups ? ", a PostgreSQL with sample data, backed up to two storages at once (a folder and an"
                + " S3 bucket); then" : " with two storages (a folder and an S3 bucket):") + " its main storage moves"
                + " from one to the other" + (drill ? "; last, a restore drill from the storage that became a profile."
                : "."));
        out.println();

        DemoConfig.Database database = DemoConfig.Database.NONE;
        if (backups) {
            database = database();
        }
        DemoConfig config = new DemoConfig(stack.home(), database, s3.endpoint().toString());
        TopologyApplied current = apply(kafka, config);

        String backupId = null;
        if (backups) {
            backupId = backup(kafka, config, s3);
        } else {
            out.println("Backups need backup-service, which is not built yet (" + backupService.jar() + "): once it"
                    + " is, this demo also takes one. On to the main switch.");
            out.println();
        }

        switchMain(kafka, config, current.main(), DemoConfig.other(current.main()));

        out.println();
        out.println("$ stowage storage list --cluster " + DemoConfig.CLUSTER);
        StorageListReport.lines(DemoConfig.CLUSTER, TopologyHistory.of(kafka, DemoConfig.CLUSTER))
                .forEach(out::println);
        out.println();
        if (drill) {
            restoreDrill(kafka, current.main(), backupId);
            out.println();
        }
        out.println("Run `stowage demo` again for another backup and to switch back; `stowage events tail --cluster "
                + DemoConfig.CLUSTER + " --from-beginning` shows the whole story; `stowage down` stops everything,"
                + " the demo's PostgreSQL included.");
        out.flush();
    }

    private ServiceProcess service(String name) {
        return stack.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private KafkaConnection startStack() {
        out.println("The local stack is not up: starting it.");
        KafkaConnection kafka = stack.up(LocalBroker.DEFAULT_PORT, LocalS3.DEFAULT_PORT, out);
        out.println();
        return kafka;
    }

    private void heading(String title) {
        step++;
        out.println("[" + step + "/" + steps + "] " + title);
        out.flush();
    }

    /** The demo's PostgreSQL: made once, started when it is not running, reused when it is. */
    private DemoConfig.Database database() {
        heading("The database: PostgreSQL with sample data");
        LocalPostgres pg = stack.demoPostgres();
        try {
            Optional<LocalPostgres.Running> running = pg.exists() ? pg.running() : Optional.empty();
            if (running.isPresent()) {
                out.println("PostgreSQL (demo) is already running: reused.");
            } else {
                if (!pg.exists()) {
                    out.println("Creating a PostgreSQL cluster in " + pg.workDir() + " (initdb, then "
                            + SAMPLE_ROWS + " rows in table " + PostgresCluster.SAMPLE_TABLE + ")...");
                    out.flush();
                    pg.create(SAMPLE_ROWS, message -> {
                        out.println("  " + message);
                        out.flush();
                    });
                }
                running = Optional.of(pg.start());
                out.println("PostgreSQL (demo) started; it keeps running until `stowage down`.");
            }
            LocalPostgres.Settings settings = pg.settings().orElseThrow();
            new Table("", "").row("address", LocalPostgres.HOST + ":" + running.get().port() + ", user "
                            + LocalPostgres.USER + " (pid " + running.get().pid() + ", OS user " + settings.osUser() + ")")
                    .row("data", pg.dataDirectory().toString())
                    .row("log", pg.log().toString())
                    .row("psql", settings.binDirectory().resolve("psql") + " -h " + LocalPostgres.HOST + " -p "
                            + running.get().port() + " -U " + LocalPostgres.USER)
                    .bodyLines().forEach(line -> out.println("  " + line));
            out.println();
            return new DemoConfig.Database(running.get().port(), pg.dataDirectory().toString(),
                    settings.binDirectory().toString(), settings.osUser());
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new CliFailure("the demo's PostgreSQL did not start: " + e.getMessage(), e);
        }
    }

    /** The demo's config in force: written (and awaited) only when what config-service applied differs. */
    private TopologyApplied apply(KafkaConnection kafka, DemoConfig config) {
        heading("The config: " + config.file());
        TopologyApplied applied = Optional.ofNullable(AppliedTopologies.read(kafka).get(DemoConfig.CLUSTER))
                .filter(BusReader.Read::valid)
                .map(r -> r.event().data())
                .filter(TopologyApplied.class::isInstance).map(TopologyApplied.class::cast)
                .orElse(null);
        if (config.isApplied(applied)) {
            out.println("Already in force (revision " + applied.revision() + "): " + applied.main() + " is the main, "
                    + DemoConfig.other(applied.main()) + " a profile.");
            out.println();
            return applied;
        }
        String main = DemoConfig.hasDemoStorages(applied) ? applied.main() : DemoConfig.FS;
        out.println("Writing it: " + main + " is the main, " + DemoConfig.other(main) + " a profile; the S3 storage"
                + " names the secret " + LocalS3.SECRET + ", which `stowage up` wrote.");
        out.flush();
        DemoWatch watch = new DemoWatch();
        TopologyApplied result;
        try (BusReader reader = new BusReader(kafka, TOPICS, false)) {
            config.write(main);
            result = await(reader, watch, () -> watch.applied(main, config::isApplied),
                    "applied topology with " + main + " as the main");
        }
        out.println("config-service applied it (revision " + result.revision() + ")"
                + (watch.storageChanges().isEmpty() ? "." : ":"));
        watch.storageChanges().forEach(r -> out.println("  " + lines.format(r)));
        out.println();
        return result;
    }

    /** @return the backup's id */
    private String backup(KafkaConnection kafka, DemoConfig config, S3ProxyServer s3) {
        heading("A base backup, one read of the database written to both storages");
        out.println("$ stowage backup create --cluster " + DemoConfig.CLUSTER + " --storage " + DemoConfig.FS + ","
                + DemoConfig.S3 + " --wait");
        out.flush();
        BackupRun run = new BackupRun(kafka, DemoConfig.CLUSTER, List.of(DemoConfig.FS, DemoConfig.S3), null);
        BackupCompleted completed = run.publishAndFollow(out, terminal,
                new BackupRun.Limits(BACKUP_WAIT, BACKUP_ANSWER_WAIT));
        String folder = "backups/" + completed.backupId() + "/";
        String prefix = StorageSpec.defaultPrefix(DemoConfig.CLUSTER) + "/";

        out.println();
        out.println("Where it landed: the same files on both storages, in the contract's layout (stowage.json,"
                + " Stowage's manifest, is written last).");
        Path fsFolder = config.fsPath().resolve(prefix + folder);
        out.println("  " + DemoConfig.FS + ": " + fsFolder + "/");
        files(fsFolder, DemoConfig.FS).forEach(line -> out.println("      " + line));
        Path objects = stack.s3().bucketDirectory().resolve(prefix + folder);
        out.println("  " + DemoConfig.S3 + ": s3://" + LocalS3.BUCKET + "/" + prefix + folder + " at " + s3.endpoint());
        files(objects, DemoConfig.S3).forEach(line -> out.println("      " + line));
        out.println("      (S3Proxy keeps each object as a file: " + objects + "/)");
        out.println();
        out.println("Plain files: no Stowage needed to restore one. By hand, into a new folder:");
        out.println("  mkdir -m 700 /tmp/restored");
        out.println("  zstd -d -c " + fsFolder.resolve("base.tar.zst") + " | tar -x -C /tmp/restored");
        out.println("  " + Path.of(config.postgres().binDirectory()).resolve("pg_verifybackup") + " /tmp/restored");
        out.println("then start a server on it (docs/operations.md, \"Restoring by hand\").");
        out.println();
        return completed.backupId();
    }

    /**
     * The backup restored by restore-service from {@code profile} (the main before the switch) into a new instance
     * beside the demo's PostgreSQL, which is not touched; the copy's rows are counted, then it is stopped and removed.
     */
    private void restoreDrill(KafkaConnection kafka, String profile, String backupId) {
        heading("A restore drill: the backup, from " + profile + " (now a profile), into a new instance");
        LocalPostgres demo = stack.demoPostgres();
        LocalPostgres copy = new LocalPostgres(stack.home(), LocalStack.DEMO_DRILL_POSTGRES);
        copy.remove(); // what an earlier drill left, if it was cut short
        LocalPostgres.Settings settings = demo.settings().orElseThrow();
        int port = LocalPostgres.freePort();
        copy.adopt(new LocalPostgres.Settings(settings.binDirectory(), settings.osUser(), port));
        String target = copy.dataDirectory().toString();
        out.println("$ stowage restore --cluster " + DemoConfig.CLUSTER + " --storage " + profile + " --backup "
                + backupId + " --target-dir " + target + " --port " + port + " --wait");
        out.flush();
        RestoreRun run = new RestoreRun(kafka, new RestoreRequested(DemoConfig.CLUSTER, backupId, profile, null,
                null, null, RestoreRun.newRestoreId(), new RestoreTarget(target, port)));
        run.publishAndFollow(out, StepMarks.forCharset(Charset.defaultCharset()), RESTORE_WAIT);
        String table = PostgresCluster.SAMPLE_TABLE;
        try {
            out.println("The copy answers on port " + port + ": " + table + " has " + copy.query("select count(*)"
                    + " from " + table) + " rows there, " + demo.query("select count(*) from " + table)
                    + " in the demo's PostgreSQL, which ran on throughout.");
            copy.remove();
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new CliFailure("the restored copy in " + target + " did not answer as it should: "
                    + e.getMessage(), e);
        }
        out.println("Drill done: the copy is stopped and " + copy.workDir() + " removed. A restore in place (no"
                + " --target-dir) keeps the old data directory aside instead (docs/operations.md, \"Restoring\").");
    }

    /** The files of one backup folder with their sizes; none at all means the backup is not where it was said to be. */
    private List<String> files(Path folder, String storage) {
        Table table = new Table("", "");
        List<Path> found;
        try (Stream<Path> walk = Files.isDirectory(folder) ? Files.walk(folder) : Stream.empty()) {
            found = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + folder, e);
        }
        if (found.stream().noneMatch(f -> f.getFileName().toString().equals("stowage.json"))) {
            throw new CliFailure("backup-service reported the backup complete on " + storage + ", but " + folder
                    + " holds no stowage.json" + (found.isEmpty() ? " (nothing at all)" : ""));
        }
        for (Path file : found) {
            try {
                table.row(folder.relativize(file).toString(), Text.bytes(Files.size(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the size of " + file, e);
            }
        }
        return table.bodyLines();
    }

    private void switchMain(KafkaConnection kafka, DemoConfig config, String from, String to) {
        heading("Switching the main storage");
        out.println("From " + from + " to " + to + ": `main: true` moves in " + config.file().getFileName()
                + " (written to a temp file, then renamed).");
        out.flush();
        DemoWatch watch = new DemoWatch();
        List<BusReader.Read> fanOut;
        try (BusReader reader = new BusReader(kafka, TOPICS, false)) {
            config.write(to);
            fanOut = await(reader, watch, () -> watch.fanOut(from, to),
                    "main-change fan-out (" + from + " -> " + to + ")");
        }
        out.println("config-service wrote the fan-out in one transaction, all with correlation id "
                + Text.shortId(DemoWatch.correlationOf(fanOut)) + ":");
        fanOut.forEach(r -> out.println("  " + lines.format(r)));
        out.println("The new main's catalog gets a resync; the old main stays as a profile and keeps its backups.");
    }

    private <T> T await(BusReader reader, DemoWatch watch, Supplier<Optional<T>> done, String what) {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            reader.poll(POLL).forEach(watch::add);
            Optional<T> result = done.get();
            if (result.isPresent()) {
                return result.get();
            }
            watch.rejection().ifPresent(r -> {
                throw new CliFailure("config-service refused " + r.source() + (r.field() == null ? "" : " at "
                        + r.field()) + ": " + r.reason());
            });
            if (Instant.now().isAfter(deadline)) {
                throw new CliFailure("no " + what + " within " + WAIT.toSeconds() + " s. Is config-service working? "
                        + "See " + stack.home().log("config-service") + " and `stowage status`.");
            }
        }
    }
}
