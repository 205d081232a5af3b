package io.stowage.restore.service;

import io.stowage.events.BackupSources;
import io.stowage.events.Envelope;
import io.stowage.events.data.BackupRequested;
import io.stowage.events.data.CatalogBackup;
import io.stowage.events.data.RestoreCompleted;
import io.stowage.events.data.RestoreFailed;
import io.stowage.events.data.RestoreRequested;
import io.stowage.events.data.VolumeTarget;
import io.stowage.events.data.RestoreTarget;
import io.stowage.events.data.RestoreStarted;
import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.ResyncRequested;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.BackupConfigSpec;
import io.stowage.events.spec.FilesystemSpec;
import io.stowage.events.spec.PitrSpec;
import io.stowage.events.spec.PostgresSpec;
import io.stowage.events.spec.StorageSpec;
import io.stowage.events.spec.StorageType;
import io.stowage.bus.CatalogView;
import io.stowage.restore.plan.RestorePlan;
import io.stowage.restore.plan.RestorePlanner;
import io.stowage.restore.service.RestoreSaga.AlreadyCompleted;
import io.stowage.restore.service.RestoreSaga.Completed;
import io.stowage.restore.service.RestoreSaga.Failed;
import io.stowage.restore.service.RestoreSaga.Outcome;
import io.stowage.restore.service.RestoreSaga.Refused;
import io.stowage.restore.steps.RestoreRun;
import io.stowage.restore.steps.StepFailure;
import io.stowage.storage.BackupStorage;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.stowage.events.data.RestoreStepName.FETCH_WAL;
import static io.stowage.events.data.RestoreStepName.PAUSE_ARCHIVING;
import static io.stowage.events.data.RestoreStepStatus.COMPLETED;
import static io.stowage.events.data.RestoreStepStatus.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore saga's decisions, with the bus and the host in memory: what it publishes, in which order and in which
 * correlation, and how each request ends. Cluster pg1 has the main {@code local} and the profile {@code dr-copy};
 * the catalog knows backup b1 on the main.
 */
class RestoreSagaTest {
    private static final String CLUSTER = "pg1";
    private static final String MAIN = "local";
    private static final String PROFILE = "dr-copy";
    private static final Path DATA = Path.of("/var/lib/postgresql/17/main");

    private final CatalogView catalog = new CatalogView();
    private final FakeRestoreBus bus = new FakeRestoreBus();
    private final Host host = new Host();
    private RestoreSaga saga = saga(Duration.ofSeconds(60));

    RestoreSagaTest() {
        bus.topologies.put(CLUSTER, topology(Map.of()));
        catalog.put(backup(MAIN, "b1"));
    }

    private RestoreSaga saga(Duration placementTimeout) {
        return new RestoreSaga(new RestorePlanner(catalog, (cluster, storage, timeline, segment) -> Optional.empty()),
                bus, host, new RestoreSaga.Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), placementTimeout),
                "/stowage/restore-service");
    }

    /** pg1's topology, with {@code more} storages besides the main and the profile. */
    private static TopologyApplied topology(Map<String, StorageSpec> more) {
        Map<String, StorageSpec> storages = new LinkedHashMap<>();
        storages.put(MAIN, storage(MAIN, true));
        storages.put(PROFILE, storage(PROFILE, false));
        storages.putAll(more);
        // Every storage but the main is a profile, as config-service applies them.
        List<String> profiles = storages.keySet().stream().filter(name -> !name.equals(MAIN)).toList();
        return new TopologyApplied(CLUSTER, 3, MAIN, profiles, new BackupConfigSpec(new PostgresSpec(
                "127.0.0.1", 5433, "postgres", null, DATA.toString(), null, null), new PitrSpec(true), storages),
                false, ".stowage/config/pg1.yaml");
    }

    private static StorageSpec storage(String name, boolean main) {
        return new StorageSpec(main, StorageType.FILESYSTEM, null, new FilesystemSpec("/srv/backups/" + name, null));
    }

    private static CatalogBackup backup(String storage, String backupId) {
        OffsetDateTime stop = OffsetDateTime.parse("2026-11-22T03:00:06Z");
        return new CatalogBackup(CLUSTER, storage, backupId, CatalogBackup.COMPLETE, null, "0/5000028", "0/5000028",
                "00000001", stop.minusMinutes(5), stop, 1L << 30, 1L << 28, "ab12");
    }

    private static Envelope<RestoreRequested> request(String backupId, String storage) {
        return Envelope.root("/stowage/cli", new RestoreRequested(CLUSTER, backupId, storage, null, null, null, "r1",
                null));
    }

    /** The host in memory: its storages record their closing; a run does what the test says. */
    private static final class Host implements RestoreHost {
        interface Run {
            RestoreRun.Outcome run(RestorePlan plan, RestoreRun.Coordination bus) throws StepFailure;
        }

        final List<String> closed = new ArrayList<>();
        final List<RestorePlan> plans = new ArrayList<>();
        Run run = (plan, bus) -> new RestoreRun.Outcome(plan.dataDirectory(), plan.keptDirectory());

        @Override
        public Map<String, BackupStorage> open(TopologyApplied topology, RestorePlan plan) {
            Map<String, BackupStorage> opened = new LinkedHashMap<>();
            topology.spec().storages().keySet().forEach(name -> opened.put(name, closeRecorder(name)));
            return opened;
        }

        private BackupStorage closeRecorder(String name) {
            return (BackupStorage) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {BackupStorage.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            closed.add(name);
                        }
                        return null;
                    });
        }

        @Override
        public RestoreRun.Outcome run(Envelope<?> request, RestorePlan plan, TopologyApplied topology,
                                      Map<String, BackupStorage> storages, RestoreRun.Coordination bus)
                throws StepFailure {
            plans.add(plan);
            return run.run(plan, bus);
        }
    }

    @Test
    void aRestoreRunsFromItsPlanAndItsEventsTellTheStoryInTheRequestsCorrelation() throws Exception {
        host.run = (plan, coordination) -> {
            coordination.pauseArchiving();
            coordination.step(FETCH_WAL, STARTED, null);
            coordination.step(FETCH_WAL, COMPLETED, "3 WAL segments");
            return new RestoreRun.Outcome(plan.dataDirectory(), plan.keptDirectory());
        };
        Envelope<RestoreRequested> request = request("b1", MAIN);

        Outcome outcome = saga.handle(request);

        RestoreCompleted completed = new RestoreCompleted(CLUSTER, "r1", "b1", MAIN, DATA.toString(),
                DATA.resolveSibling("main.before-r1").toString());
        assertThat(outcome).isEqualTo(new Completed(completed));
        assertThat(bus.publishedData()).containsExactly(
                new RestoreStarted(CLUSTER, "r1", "b1", MAIN),
                new RestoreStep(CLUSTER, "r1", PAUSE_ARCHIVING, STARTED, "pause WAL archiving and backups of pg1"),
                new RestoreStep(CLUSTER, "r1", FETCH_WAL, STARTED, null),
                new RestoreStep(CLUSTER, "r1", FETCH_WAL, COMPLETED, "3 WAL segments"),
                completed);
        assertThat(bus.published).allSatisfy(e -> {
            assertThat(e.correlationId()).isEqualTo(request.correlationId());
            assertThat(e.causationId()).isEqualTo(request.id());
            assertThat(e.source()).isEqualTo("/stowage/restore-service");
        });
        assertThat(host.plans).singleElement().satisfies(plan -> {
            assertThat(plan.backup().backupId()).isEqualTo("b1");
            assertThat(plan.storage()).isEqualTo(MAIN);
            assertThat(plan.inPlace()).isTrue();
        });
        assertThat(host.closed).as("every storage opened for the run is closed").containsExactly(MAIN, PROFILE);
    }

    @Test
    void aRequestWithoutRestoreIdIsKnownByItsEventId() throws Exception {
        Envelope<RestoreRequested> request = Envelope.root("/stowage/cli",
                new RestoreRequested(CLUSTER, "latest", MAIN, null, null, true, null, null));

        saga.handle(request);

        assertThat(bus.publishedData()).first().isEqualTo(new RestoreStarted(CLUSTER, request.id(), "b1", MAIN));
        assertThat(host.plans).singleElement().satisfies(plan -> {
            assertThat(plan.restoreId()).isEqualTo(request.id());
            assertThat(plan.backupAfterRestore()).isTrue();
        });
    }

    @Test
    void aRestoreThatCompletedBeforeIsNotRunAgain() throws Exception {
        bus.completedRestores.add(CLUSTER + " r1");

        assertThat(saga.handle(request("b1", MAIN))).isEqualTo(new AlreadyCompleted(CLUSTER, "r1"));
        assertThat(bus.published).isEmpty();
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aRefusedRestoreIsPublishedWithItsCheckAndTouchesNothing() throws Exception {
        Outcome outcome = saga.handle(request("b1", "nas"));

        RestoreFailed refused = new RestoreFailed(CLUSTER, "r1", RestorePlanner.CHECK_REQUEST,
                "storage 'nas' is not a storage of cluster pg1 (its storages: local, dr-copy)");
        assertThat(outcome).isEqualTo(new Refused(refused));
        assertThat(bus.publishedData()).containsExactly(refused);
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aRestoreIntoANewVolumeWhereNoJobsAreMadeIsRefusedWithTheWayOut() throws Exception {
        Outcome outcome = saga.handle(Envelope.root("/stowage/cli", new RestoreRequested(CLUSTER, "b1", MAIN, null,
                null, null, "r1", RestoreTarget.volume(new VolumeTarget("pg1-restored", null, "20Gi")))));

        assertThat(outcome).isInstanceOf(Refused.class);
        RestoreFailed refused = ((Refused) outcome).event();
        assertThat(refused.step()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refused.reason()).contains("Kubernetes Job", "stowage.restore.jobs.enabled=true",
                "target.dataDirectory");
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aRestoreIntoANewVolumeGoesToTheJobHost_andItsDataDirectoryIsTheClaims() throws Exception {
        Host jobs = new Host();
        jobs.run = (plan, coordination) -> new RestoreRun.Outcome(java.nio.file.Path.of("pvc:ns/pg1-restored/pgdata"),
                null);
        RestoreSaga routed = new RestoreSaga(new RestorePlanner(catalog, (cluster, storage, timeline, segment) ->
                Optional.empty()), bus, new RoutingRestoreHost(host, jobs), new RestoreSaga.Settings(
                Duration.ofSeconds(1), Duration.ofSeconds(1)), "/stowage/restore-service");

        bus.topologies.put(CLUSTER, topology(Map.of("s3", new StorageSpec(false, StorageType.S3,
                new io.stowage.events.spec.S3Spec("backups", "us-west-2", null, null, null, "s3-creds", null, null),
                null))));
        catalog.put(backup("s3", "b1"));
        Outcome outcome = routed.handle(Envelope.root("/stowage/cli", new RestoreRequested(CLUSTER, "b1", "s3", null,
                null, null, "r1", RestoreTarget.volume(new VolumeTarget("pg1-restored", null, "20Gi")))));

        assertThat(outcome).isEqualTo(new Completed(new RestoreCompleted(CLUSTER, "r1", "b1", "s3",
                "pvc:ns/pg1-restored/pgdata", null)));
        assertThat(host.plans).isEmpty();
        assertThat(jobs.plans).singleElement().satisfies(plan -> assertThat(plan.intoVolume()).isTrue());
    }

    @Test
    void aTopologyNotReadInTimeRefusesTheRestoreRatherThanPlanOnAStaleOne() throws Exception {
        bus.topologyCatchUps.add(false);

        Outcome outcome = saga.handle(request("b1", MAIN));

        assertThat(outcome).isInstanceOf(Refused.class);
        RestoreFailed refused = ((Refused) outcome).event();
        assertThat(refused.step()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(refused.reason()).isEqualTo("the topology (stowage.topology) could not be read to its end in time,"
                + " so where cluster pg1 runs and which storages it has now is not known: nothing was touched;"
                + " request the restore again once the broker answers");
        assertThat(bus.publishedData()).containsExactly(refused);
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aCatalogNotReadInTimeRefusesTheRestore() throws Exception {
        bus.catalogCatchUps.add(false);

        Outcome outcome = saga.handle(request("b1", MAIN));

        assertThat(outcome).isInstanceOf(Refused.class);
        RestoreFailed refused = ((Refused) outcome).event();
        assertThat(refused.step()).isEqualTo(RestorePlanner.CHECK_BACKUP);
        assertThat(refused.reason()).startsWith("the catalog (stowage.catalog) could not be read to its end in time,"
                + " so which backups and WAL of cluster pg1 its storages hold now is not known: nothing was touched");
        assertThat(bus.publishedData()).containsExactly(refused);
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aBackupOnAProfileTheCatalogDoesNotKnowIsResyncedFirstThenRestored() throws Exception {
        bus.onResync = () -> catalog.put(backup(PROFILE, "b7"));
        Envelope<RestoreRequested> request = request("b7", PROFILE);

        Outcome outcome = saga.handle(request);

        assertThat(outcome).isInstanceOf(Completed.class);
        assertThat(bus.publishedData()).startsWith(
                new ResyncRequested(CLUSTER, PROFILE, null, "restore r1: the catalog does not know backup b7 on it"),
                new RestoreStarted(CLUSTER, "r1", "b7", PROFILE));
        assertThat(bus.published.get(0).causationId()).isEqualTo(request.id());
        assertThat(host.plans).singleElement().extracting(RestorePlan::storage).isEqualTo(PROFILE);
    }

    @Test
    void aCatalogNotReadAfterTheResyncRefusesRatherThanCallTheBackupMissing() throws Exception {
        bus.onResync = () -> catalog.put(backup(PROFILE, "b7"));
        bus.catalogCatchUps.addAll(List.of(true, false));

        Outcome outcome = saga.handle(request("b7", PROFILE));

        assertThat(outcome).isInstanceOf(Refused.class);
        assertThat(((Refused) outcome).event().reason()).startsWith("the catalog (stowage.catalog) could not be read");
        assertThat(bus.publishedData()).first().isInstanceOf(ResyncRequested.class);
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aResyncThatDoesNotEndInTimeOrFailsRefusesTheRestore() throws Exception {
        bus.resyncOutcome = Optional.empty();
        Outcome late = saga.handle(request("b7", PROFILE));

        bus.resyncOutcome = Optional.of(new RestoreBus.ResyncOutcome(false, "403 Forbidden"));
        Outcome failed = saga.handle(request("b7", PROFILE));

        assertThat(late).isEqualTo(new Refused(new RestoreFailed(CLUSTER, "r1", RestorePlanner.CHECK_BACKUP,
                "storage 'dr-copy' was resynced for this restore (the catalog does not know backup b7 on it), but the"
                        + " resync did not end within PT1S: is resync-service running?")));
        assertThat(failed).isEqualTo(new Refused(new RestoreFailed(CLUSTER, "r1", RestorePlanner.CHECK_BACKUP,
                "the resync of storage 'dr-copy' failed: 403 Forbidden")));
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aBackupSourceIsRestoredOnceConfigServiceHasPlacedItInTheTopology() throws Exception {
        StorageSpec source = new StorageSpec(null, StorageType.FILESYSTEM, null,
                new FilesystemSpec("/srv/other-site", null));
        String placed = BackupSources.place(CLUSTER, source, null, topology(Map.of()).spec().storages()).storage();
        int[] catchUps = {0};
        bus.onTopologyCatchUp = () -> {
            if (++catchUps[0] == 2) {
                bus.topologies.put(CLUSTER, topology(Map.of(placed, source)));
            }
        };
        bus.onResync = () -> catalog.put(backup(placed, "b9"));

        Outcome outcome = saga.handle(Envelope.root("/stowage/cli",
                new RestoreRequested(CLUSTER, "b9", null, null, source, null, "r1", null)));

        assertThat(outcome).isInstanceOf(Completed.class);
        assertThat(catchUps[0]).as("looked again until the placement showed").isEqualTo(2);
        assertThat(bus.publishedData()).first().isInstanceOf(ResyncRequested.class)
                .extracting(e -> ((ResyncRequested) e).storage()).isEqualTo(placed);
        assertThat(host.plans).singleElement().extracting(RestorePlan::storage).isEqualTo(placed);
    }

    @Test
    void aBackupSourcePlacedAsANewProfileIsRestoredAfterTheResyncItsPlacementCausedNotASecondOne() throws Exception {
        StorageSpec source = new StorageSpec(null, StorageType.FILESYSTEM, null,
                new FilesystemSpec("/srv/old-nas", null));
        BackupSources.Placement placement = BackupSources.place(CLUSTER, source, null,
                topology(Map.of()).spec().storages());
        assertThat(placement.way()).isEqualTo(BackupSources.Way.PROFILE);
        int[] catchUps = {0};
        bus.onTopologyCatchUp = () -> {
            if (++catchUps[0] == 2) { // config-service places it while the saga waits
                bus.topologies.put(CLUSTER, topology(Map.of(placement.storage(), source)));
            }
        };
        bus.profileResync = Optional.of(new RestoreBus.ResyncOutcome(true, null));
        bus.onAwaitResync = () -> catalog.put(backup(placement.storage(), "b9"));
        Envelope<RestoreRequested> request = Envelope.root("/stowage/cli",
                new RestoreRequested(CLUSTER, "b9", null, null, source, null, "r1", null));
        bus.appliedIn.put(CLUSTER, request.correlationId()); // config-service placed it in the request's correlation

        Outcome outcome = saga.handle(request);

        assertThat(outcome).isInstanceOf(Completed.class);
        assertThat(bus.awaitedResyncs).containsExactly(placement.storage());
        assertThat(bus.publishedData()).noneMatch(ResyncRequested.class::isInstance);
        assertThat(host.plans).singleElement().extracting(RestorePlan::storage).isEqualTo(placement.storage());
    }

    @Test
    void aBackupSourceNeverPlacedIsRefusedAfterItsWait() throws Exception {
        saga = saga(Duration.ofSeconds(1));
        StorageSpec source = new StorageSpec(null, StorageType.FILESYSTEM, null,
                new FilesystemSpec("/srv/other-site", null));

        Outcome outcome = saga.handle(Envelope.root("/stowage/cli",
                new RestoreRequested(CLUSTER, "b9", null, null, source, null, "r1", null)));

        assertThat(outcome).isInstanceOf(Refused.class);
        assertThat(((Refused) outcome).event().step()).isEqualTo(RestorePlanner.CHECK_REQUEST);
        assertThat(((Refused) outcome).event().reason()).contains("was not placed in cluster pg1's topology")
                .endsWith("within 1 s: is config-service running?");
        assertThat(host.plans).isEmpty();
    }

    @Test
    void aFailedStepIsTheRestoresFailureAtThatStepAndTheStoragesAreClosed() throws Exception {
        host.run = (plan, coordination) -> {
            throw new StepFailure(FETCH_WAL, "segment 000000010000000000000009 is on no storage");
        };

        Outcome outcome = saga.handle(request("b1", MAIN));

        RestoreFailed failed = new RestoreFailed(CLUSTER, "r1", "fetch-wal",
                "segment 000000010000000000000009 is on no storage");
        assertThat(outcome).isEqualTo(new Failed(failed));
        assertThat(bus.publishedData()).containsExactly(new RestoreStarted(CLUSTER, "r1", "b1", MAIN), failed);
        assertThat(host.closed).containsExactly(MAIN, PROFILE);
    }

    @Test
    void backupServiceNotAnsweringThePauseFailsThatStep() throws Exception {
        bus.backupServiceAnswers = false;
        host.run = (plan, coordination) -> {
            coordination.pauseArchiving();
            throw new AssertionError("the run goes on only once archiving is paused");
        };

        Outcome outcome = saga.handle(request("b1", MAIN));

        assertThat(outcome).isEqualTo(new Failed(new RestoreFailed(CLUSTER, "r1", "pause-archiving",
                "backup-service did not answer 'pause-archiving' within PT1S: is it running?")));
    }

    @Test
    void anUnexpectedErrorOfTheRunIsAFailureOfTheRestore() throws Exception {
        host.run = (plan, coordination) -> {
            throw new IllegalStateException("no pg_ctl on the PATH");
        };

        Outcome outcome = saga.handle(request("b1", MAIN));

        assertThat(outcome).isEqualTo(new Failed(new RestoreFailed(CLUSTER, "r1", "restore",
                "java.lang.IllegalStateException: no pg_ctl on the PATH")));
        assertThat(host.closed).containsExactly(MAIN, PROFILE);
    }

    @Test
    void theBackupAfterTheRestoreIsRequestedInItsCorrelation() throws Exception {
        host.run = (plan, coordination) -> {
            assertThat(coordination.requestBackup()).isEqualTo("after-r1");
            return new RestoreRun.Outcome(plan.dataDirectory(), null);
        };
        Envelope<RestoreRequested> request = request("b1", MAIN);

        saga.handle(request);

        assertThat(bus.published).filteredOn(e -> e.data() instanceof BackupRequested).singleElement()
                .satisfies(e -> {
                    assertThat(e.data()).isEqualTo(new BackupRequested(CLUSTER, null, "after-r1"));
                    assertThat(e.causationId()).isEqualTo(request.id());
                });
    }
}
