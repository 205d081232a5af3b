package io.stowage.backup.wal;

import io.stowage.events.spec.PostgresSpec;

import java.sql.SQLException;

/** The cluster's primary as archiving reaches it: where it runs, the password from its secret, its slot. */
record Primary(String cluster, PostgresSpec postgres, String password, String slot) {
    WalSource connect() throws SQLException {
        return WalSource.connect(postgres, password);
    }

    @Override
    public String toString() {
        return "Primary[" + cluster + ", slot " + slot + "]"; // never the password
    }
}
