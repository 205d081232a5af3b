package io.stowage.bus;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a service's long operations (a backup, a restore) off the consumer's poll: one at a time per cluster, in the
 * order they came, several clusters at once, at most {@code maxConcurrent} on this instance. An operation still
 * waiting when its partition moves to another instance is dropped there (the partition's new owner gets its
 * request again); one already running goes on to its end. A request already waiting or running here is not queued
 * a second time: a redelivery joins it.
 */
public final class ClusterWork implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ClusterWork.class);

    /** How an operation ended here: it ran (successfully or not: the operation reports its own outcome), or not. */
    public enum End { RAN, DROPPED }

    private final class Task implements Runnable {
        final String cluster;
        final String requestId;
        final TopicPartition origin;
        final Runnable operation;
        final CompletableFuture<End> end = new CompletableFuture<>();
        boolean started;

        Task(String cluster, String requestId, TopicPartition origin, Runnable operation) {
            this.cluster = cluster;
            this.requestId = requestId;
            this.origin = origin;
            this.operation = operation;
        }

        @Override
        public void run() {
            synchronized (ClusterWork.this) {
                if (end.isDone()) {
                    return; // dropped while it waited for a thread
                }
                started = true;
            }
            try {
                operation.run();
            } catch (RuntimeException | Error e) {
                LOG.errorf(e, "operation %s of cluster %s ended with an unexpected error", requestId, cluster);
            } finally {
                finished(this);
            }
        }
    }

    private final ExecutorService threads;
    /** Per cluster: the task given to a thread (running or about to), then those waiting their turn. */
    private final Map<String, ArrayDeque<Task>> clusters = new HashMap<>();
    private final Map<String, Task> byRequest = new HashMap<>();
    private volatile boolean closing;

    /** @param name names the threads, e.g. {@code backup} gives {@code backup-1}, {@code backup-2}... */
    public ClusterWork(String name, int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("at least one operation at a time, not " + maxConcurrent);
        }
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(maxConcurrent, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Queues an operation behind the cluster's earlier ones.
     *
     * @param requestId the request's id: a second submission of it joins the first
     * @param origin    the partition the request came from
     * @return completes when the operation has run, or when it was dropped
     */
    public synchronized CompletionStage<End> submit(String cluster, String requestId, TopicPartition origin,
                                                    Runnable operation) {
        Task same = byRequest.get(requestId);
        if (same != null) {
            return same.end;
        }
        Task task = new Task(cluster, requestId, origin, operation);
        byRequest.put(requestId, task);
        ArrayDeque<Task> queue = clusters.computeIfAbsent(cluster, c -> new ArrayDeque<>());
        queue.addLast(task);
        if (queue.size() == 1) {
            threads.execute(task);
        }
        return task.end;
    }

    /** Drops the operations that came from these partitions and have not started; running ones go on. */
    public synchronized void revoked(Collection<TopicPartition> partitions) {
        int dropped = 0;
        for (Iterator<Map.Entry<String, ArrayDeque<Task>>> clusterIt = clusters.entrySet().iterator();
             clusterIt.hasNext(); ) {
            ArrayDeque<Task> queue = clusterIt.next().getValue();
            Task head = queue.peekFirst();
            for (Iterator<Task> it = queue.iterator(); it.hasNext(); ) {
                Task task = it.next();
                if (!task.started && partitions.contains(task.origin)) {
                    it.remove();
                    byRequest.remove(task.requestId);
                    task.end.complete(End.DROPPED);
                    dropped++;
                }
            }
            if (queue.isEmpty()) {
                clusterIt.remove();
            } else if (queue.peekFirst() != head) {
                threads.execute(queue.peekFirst()); // the head was dropped before it started: the next one goes
            }
        }
        if (dropped > 0) {
            LOG.infof("%d waiting operation(s) dropped: their partitions %s moved to another instance", dropped,
                    partitions);
        }
    }

    private synchronized void finished(Task task) {
        byRequest.remove(task.requestId);
        ArrayDeque<Task> queue = clusters.get(task.cluster);
        queue.pollFirst();
        if (queue.isEmpty()) {
            clusters.remove(task.cluster);
        } else {
            threads.execute(queue.peekFirst());
        }
        task.end.complete(End.RAN);
    }

    /** Operations running now. */
    public synchronized int running() {
        return (int) clusters.values().stream().filter(q -> q.peekFirst().started).count();
    }

    /** Operations waiting for their cluster's turn or for a thread. */
    public synchronized int waiting() {
        return byRequest.size() - running();
    }

    /**
     * True once this instance is stopping: an operation interrupted now should publish no outcome, so that its
     * request, not acknowledged, goes to the next owner of its partition.
     */
    public boolean closing() {
        return closing;
    }

    /** Stops taking work; running operations are interrupted, waiting ones dropped. */
    @Override
    public void close() {
        closing = true;
        synchronized (this) {
            clusters.values().forEach(q -> q.forEach(t -> {
                if (!t.started) {
                    t.end.complete(End.DROPPED);
                }
            }));
        }
        threads.shutdownNow();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
