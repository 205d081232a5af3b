package io.stowage.config.leader;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which config-service replica applies config: the holder of a {@code coordination.k8s.io} Lease, through Fabric8's
 * leader elector. One replica leads (applies and publishes, writes status); the others stand by with the topology
 * recovered. A leader that cannot renew its lease stops leading; what it still tries to publish is fenced by the new
 * leader's transactional producer (both use one transactional id).
 */
public final class Leadership implements Election {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    /** The lease and its timings. */
    public record Settings(String namespace, String lease, String identity, Duration leaseDuration,
                           Duration renewDeadline, Duration retryPeriod) {
    }

    private final KubernetesClient client;
    private final Settings settings;
    private final AtomicBoolean leading = new AtomicBoolean();
    private CompletableFuture<?> election;

    public Leadership(KubernetesClient client, Settings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * Takes part in the election: {@code onStart} runs once this replica leads, {@code onStop} once it no longer
     * does (it is never given the lead again: the process is to stop).
     */
    @Override
    public synchronized void start(Runnable onStart, Runnable onStop) {
        election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                .withName(settings.lease())
                .withLock(new LeaseLock(settings.namespace(), settings.lease(), settings.identity()))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    leading.set(true);
                    LOG.infof("leading: %s holds lease %s/%s", settings.identity(), settings.namespace(),
                            settings.lease());
                    onStart.run();
                }, () -> {
                    boolean was = leading.getAndSet(false);
                    LOG.warnf("%s no longer holds lease %s/%s%s", settings.identity(), settings.namespace(),
                            settings.lease(), was ? "" : " (it never did)");
                    onStop.run();
                }, leader -> LOG.infof("lease %s/%s is held by %s", settings.namespace(), settings.lease(), leader)))
                .build()).build().start();
        LOG.infof("standing for lease %s/%s as %s (lease %s, renew deadline %s, retry %s)", settings.namespace(),
                settings.lease(), settings.identity(), settings.leaseDuration(), settings.renewDeadline(),
                settings.retryPeriod());
    }

    @Override
    public boolean leading() {
        return leading.get();
    }

    /** Leaves the election, releasing the lease if held, so another replica leads at once. */
    @Override
    public synchronized void close() {
        if (election != null) {
            election.cancel(true);
            election = null;
        }
    }
}
