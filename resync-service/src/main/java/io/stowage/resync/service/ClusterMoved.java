package io.stowage.resync.service;

/**
 * A catalog write for a cluster this instance no longer holds: a rebalance gave its partition to another instance,
 * which handles its events again from the last committed offset. Nothing is written and nothing is answered here,
 * so each request gets exactly one outcome, from the instance that holds the cluster.
 */
public final class ClusterMoved extends RuntimeException {
    public ClusterMoved(String cluster) {
        super("cluster " + cluster + " is now held by another instance of resync-service");
    }
}
