package io.stowage.bus;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ClusterWorkTest {
    private static final TopicPartition P0 = new TopicPartition("stowage.backup", 0);
    private static final TopicPartition P1 = new TopicPartition("stowage.backup", 1);

    private final ClusterWork work = new ClusterWork("test", 2);
    private final List<String> log = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        work.close();
    }

    @Test
    void aLongOperationOfOneClusterDoesNotHoldAnotherClusterOnTheSamePartition() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletionStage<ClusterWork.End> longA = work.submit("a", "r1", P0, blockUntil(release, "a1"));
        CompletionStage<ClusterWork.End> b = work.submit("b", "r2", P0, () -> log.add("b1"));

        assertThat(b.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ClusterWork.End.RAN);
        assertThat(longA.toCompletableFuture()).isNotDone();
        release.countDown();
        assertThat(longA.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ClusterWork.End.RAN);
    }

    @Test
    void oneClusterRunsOneOperationAtATimeInOrder() throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<CompletionStage<ClusterWork.End>> ends = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String name = "a" + i;
            ends.add(work.submit("a", "r" + i, P0, () -> {
                most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                log.add(name);
                inside.decrementAndGet();
            }));
        }
        for (CompletionStage<ClusterWork.End> end : ends) {
            end.toCompletableFuture().get(5, TimeUnit.SECONDS);
        }
        assertThat(log).containsExactly("a0", "a1", "a2", "a3", "a4");
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void noMoreThanTheBoundRunAtOnce() {
        CountDownLatch release = new CountDownLatch(1);
        work.submit("a", "r1", P0, blockUntil(release, "a"));
        work.submit("b", "r2", P0, blockUntil(release, "b"));
        CompletionStage<ClusterWork.End> c = work.submit("c", "r3", P0, () -> log.add("c"));

        await().atMost(Duration.ofSeconds(5)).until(() -> work.running() == 2);
        assertThat(c.toCompletableFuture()).isNotDone();
        assertThat(work.waiting()).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> log.contains("c"));
    }

    @Test
    void aRevokedPartitionsWaitingOperationsAreDroppedAndRunningOnesGoOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletionStage<ClusterWork.End> running = work.submit("a", "r1", P0, blockUntil(release, "a1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> work.running() == 1);
        CompletionStage<ClusterWork.End> waitingSameCluster = work.submit("a", "r2", P0, () -> log.add("a2"));
        CompletionStage<ClusterWork.End> otherPartition = work.submit("a", "r3", P1, () -> log.add("a3"));

        work.revoked(List.of(P0));

        assertThat(waitingSameCluster.toCompletableFuture().get(1, TimeUnit.SECONDS))
                .isEqualTo(ClusterWork.End.DROPPED);
        assertThat(running.toCompletableFuture()).isNotDone();
        release.countDown();
        assertThat(running.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ClusterWork.End.RAN);
        assertThat(otherPartition.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ClusterWork.End.RAN);
        assertThat(log).containsExactly("a1", "a3");
    }

    @Test
    void aRedeliveredRequestJoinsTheOneAlreadyHereInsteadOfRunningTwice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CompletionStage<ClusterWork.End> first = work.submit("a", "r1", P0, blockUntil(release, "first"));
        CompletionStage<ClusterWork.End> again = work.submit("a", "r1", P0, () -> log.add("second"));

        release.countDown();
        assertThat(again.toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(ClusterWork.End.RAN);
        assertThat(first.toCompletableFuture()).isCompleted();
        assertThat(log).containsExactly("first");
    }

    @Test
    void anOperationThatThrowsStillFreesItsCluster() throws Exception {
        work.submit("a", "r1", P0, () -> {
            throw new IllegalStateException("boom");
        });
        assertThat(work.submit("a", "r2", P0, () -> log.add("next")).toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isEqualTo(ClusterWork.End.RAN);
        assertThat(log).containsExactly("next");
    }

    private Runnable blockUntil(CountDownLatch release, String name) {
        return () -> {
            try {
                release.await();
                log.add(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }
}
