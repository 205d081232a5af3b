package io.stowage.cli.topology;

import io.stowage.events.data.TopologyApplied;

/** A storage's role in a cluster: the main receives base backups and WAL; profiles receive base backups only. */
public enum StorageRole {
    MAIN, PROFILE, NONE;

    public static StorageRole of(TopologyApplied topology, String storage) {
        if (storage.equals(topology.main())) {
            return MAIN;
        }
        return topology.profiles() != null && topology.profiles().contains(storage) ? PROFILE : NONE;
    }

    /** As people say it: {@code main}, {@code profile}. */
    public String label() {
        return name().toLowerCase();
    }
}
