package io.stowage.backup.wal;

import io.stowage.bus.ClusterTopologies;
import io.stowage.backup.topology.StorageOpener;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.TopologyApplied;
import io.stowage.events.spec.StorageSpec;
import io.stowage.postgres.PasswordSecret;
import io.stowage.storage.BackupStorage;
import io.stowage.storage.SecretSource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * Runs one {@link ClusterArchiver} per cluster this instance owns whose config enables PITR and that no restore holds
 * paused; answers the restores' pause and resume requests. {@link #reconcile} compares that wish with what runs and
 * starts, stops or pauses archivers; it is called whenever the topology, the pauses or the ownership change.
 */
public final class WalArchivers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WalArchivers.class);

    /** Publishes backup-service's answer to a pause or resume request ({@code restore.step.v1} COMPLETED). */
    @FunctionalInterface
    public interface Answers {
        void answer(ArchivingPauses.Request request, RestoreStepName step, String detail);
    }

    private record OpenStorage(String name, StorageSpec spec, BackupStorage storage) {
    }

    private final ClusterTopologies topologies;
    private final ArchivingPauses pauses;
    private final StorageOpener storages;
    private final SecretSource secrets;
    private final ClusterArchiver.Settings settings;
    private final ClusterArchiver.Listener listener;
    private final Answers answers;
    private final Duration pauseTimeout;
    private final Map<String, ClusterArchiver> running = new HashMap<>();
    private final Set<String> answering = new HashSet<>();
    private final Map<String, OpenStorage> mains = new HashMap<>();
    private final ExecutorService answerers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "wal-pause-answer");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> lapsesSaid = new HashSet<>();
    private final ScheduledExecutorService leaseWatch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "wal-pause-leases");
        t.setDaemon(true);
        return t;
    });
    private Predicate<String> owns = cluster -> false;
    private boolean closed;

    public WalArchivers(ClusterTopologies topologies, ArchivingPauses pauses, StorageOpener storages,
                        SecretSource secrets, ClusterArchiver.Settings settings, ClusterArchiver.Listener listener,
                        Answers answers, Duration pauseTimeout) {
        this.topologies = topologies;
        this.pauses = pauses;
        this.storages = storages;
        this.secrets = secrets;
        this.settings = settings;
        this.listener = listener;
        this.answers = answers;
        this.pauseTimeout = pauseTimeout;
    }

    /** Which clusters this instance archives (its share of the consumer group), then reconciles. */
    public void own(Predicate<String> owns) {
        synchronized (this) {
            this.owns = owns;
        }
        reconcile();
    }

    /** Looks every {@code interval} for pauses whose lease lapsed (no event of their restore comes to say so). */
    public WalArchivers watchLeases(Duration interval) {
        leaseWatch.scheduleWithFixedDelay(() -> {
            try {
                reconcile();
            } catch (RuntimeException e) {
                LOG.warnf("could not look at the pauses' leases: %s", e.getMessage());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Pauses whose lease lapsed, as this instance reads the restore topic. */
    public int lapsedPauses() {
        return pauses.lapsedCount();
    }

    /** The archivers running here, by cluster. */
    public synchronized Map<String, ClusterArchiver> running() {
        return Map.copyOf(running);
    }

    public synchronized void reconcile() {
        if (closed) {
            return;
        }
        Map<String, TopologyApplied> owned = new HashMap<>();
        for (TopologyApplied t : topologies.all()) {
            if (owns.test(t.cluster())) {
                owned.put(t.cluster(), t);
            }
        }
        for (String cluster : Set.copyOf(running.keySet())) {
            TopologyApplied t = owned.get(cluster);
            boolean pausing = answering.contains(cluster) || (t != null && pauses.unansweredPause(cluster).isPresent());
            boolean keep = t != null && pitrEnabled(t) && pauses.pausedBy(cluster).isEmpty()
                    && Objects.equals(t.spec().postgres(), running.get(cluster).postgres());
            if (!keep && !pausing) {
                LOG.infof("cluster %s: WAL archiving stops here (%s)", cluster, t == null ? "not ours or gone"
                        : !pitrEnabled(t) ? "pitr disabled" : pauses.pausedBy(cluster).isPresent()
                        ? "paused by a restore" : "postgres connection changed");
                running.remove(cluster).stop();
            }
        }
        for (TopologyApplied t : owned.values()) {
            String cluster = t.cluster();
            sayIfLapsed(cluster);
            Optional<ArchivingPauses.Request> pause = pauses.unansweredPause(cluster);
            if (pause.isPresent()) {
                answerPause(cluster, pause.get());
                continue;
            }
            if (pitrEnabled(t) && pauses.pausedBy(cluster).isEmpty() && !running.containsKey(cluster)
                    && !answering.contains(cluster)) {
                start(t);
            }
            pauses.unansweredResume(cluster).ifPresent(resume -> answerResume(cluster, resume));
        }
    }

    /** Says once why archiving and backups resume with no word from the restore that paused them. */
    private void sayIfLapsed(String cluster) {
        pauses.lapsedPause(cluster).ifPresent(r -> {
            if (lapsesSaid.add(r.restoreId() + "/" + pauses.lastHeard(r))) {
                LOG.warnf("[%s] cluster %s: the pause of restore %s lapsed: nothing heard of the restore since %s "
                                + "(lease %s); restore-service is taken for gone, and WAL archiving and backups resume. "
                                + "The WAL written since the pause was held in pg_wal by the slot and is archived now.",
                        r.event().correlationId(), cluster, r.restoreId(), pauses.lastHeard(r), pauses.lease());
            }
        });
    }

    private static boolean pitrEnabled(TopologyApplied t) {
        return t.spec().pitr() != null && t.spec().pitr().enabled();
    }

    private void start(TopologyApplied t) {
        String cluster = t.cluster();
        try {
            ClusterArchiver archiver = new ClusterArchiver(cluster, t.spec().postgres(), password(t), settings,
                    () -> mainOf(cluster), listener).start();
            running.put(cluster, archiver);
            LOG.infof("cluster %s: WAL archiving starts here (slot %s)", cluster, ClusterArchiver.slotName(cluster));
        } catch (IOException | RuntimeException e) {
            LOG.errorf("cluster %s: cannot start WAL archiving: %s", cluster, e.getMessage());
        }
    }

    private String password(TopologyApplied t) {
        return PasswordSecret.read(t.spec().postgres(), secrets.forCluster(t.cluster())::read);
    }

    /** Archive what PostgreSQL has written, stop, answer. */
    private void answerPause(String cluster, ArchivingPauses.Request request) {
        ClusterArchiver archiver = running.get(cluster);
        answerLater(cluster, request, RestoreStepName.PAUSE_ARCHIVING, () -> {
            String detail = archiver == null ? "WAL archiving was not running for this cluster; backups are paused"
                    : archiver.pause(pauseTimeout).detail();
            synchronized (this) {
                running.remove(cluster, archiver);
            }
            return detail;
        });
    }

    /** Answer once the restarted archiver streams (or says it cannot yet). */
    private void answerResume(String cluster, ArchivingPauses.Request request) {
        ClusterArchiver archiver = running.get(cluster);
        answerLater(cluster, request, RestoreStepName.RESUME_ARCHIVING, () -> archiver == null
                ? "WAL archiving is not enabled for this cluster; backups resume"
                : archiver.awaitStreaming(pauseTimeout).map(s -> "archiving resumed from segment " + s)
                .orElse("archiving restarted; PostgreSQL does not answer yet, it is retried"));
    }

    /** What answering does before the answer is published; returns the answer's detail. */
    @FunctionalInterface
    private interface AnswerWork {
        String run() throws InterruptedException;
    }

    /** Does the work off the reconciling thread (it may take a while), answers, then reconciles again. */
    private void answerLater(String cluster, ArchivingPauses.Request request, RestoreStepName step, AnswerWork work) {
        if (!answering.add(cluster)) {
            return;
        }
        answerers.submit(() -> {
            try {
                String detail = work.run();
                answers.answer(request, step, detail);
                pauses.answered(request, step);
                LOG.infof("[%s] cluster %s: %s", request.event().correlationId(), cluster, detail);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.errorf("cluster %s: could not answer %s of restore %s: %s", cluster, step.wireName(),
                        request.restoreId(), e.getMessage());
            } finally {
                synchronized (this) {
                    answering.remove(cluster);
                }
                reconcile();
            }
        });
    }

    /** The cluster's main storage now, opened once and reopened when the main or its spec changes. */
    private Optional<ClusterArchiver.Target> mainOf(String cluster) {
        Optional<TopologyApplied> t = topologies.get(cluster);
        if (t.isEmpty() || t.get().main() == null) {
            return Optional.empty();
        }
        String name = t.get().main();
        StorageSpec spec = t.get().spec().storages().get(name);
        synchronized (mains) {
            OpenStorage open = mains.get(cluster);
            if (open != null && open.name().equals(name) && open.spec().equals(spec)) {
                return Optional.of(new ClusterArchiver.Target(name, open.storage()));
            }
            if (open != null) {
                open.storage().close();
                mains.remove(cluster);
            }
            try {
                BackupStorage storage = storages.open(cluster, name, spec);
                mains.put(cluster, new OpenStorage(name, spec, storage));
                return Optional.of(new ClusterArchiver.Target(name, storage));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Stops every archiver: their WAL stays in PostgreSQL for the next owner. */
    @Override
    public void close() {
        Map<String, ClusterArchiver> stopping;
        synchronized (this) {
            closed = true;
            stopping = Map.copyOf(running);
            running.clear();
        }
        stopping.values().forEach(ClusterArchiver::stop);
        answerers.shutdownNow();
        leaseWatch.shutdownNow();
        synchronized (mains) {
            mains.values().forEach(m -> m.storage().close());
            mains.clear();
        }
    }
}
