package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogWal;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog fed by this instance's writes and by the follower of the topic: the newer record always wins. */
class CatalogTest {
    static final String KEY = CatalogWal.key("c1", "local", "00000001");
    final Catalog catalog = new Catalog();

    static CatalogWal wal(String last, int segments) {
        return new CatalogWal("c1", "local", "00000001",
                List.of(new CatalogWal.SegmentRange("000000010000000000000001", last)), segments, false);
    }

    @Test
    void aFollowerBehindItsOwnWritesDoesNotPutBackAnOlderValue() {
        catalog.wrote(0, 10, KEY, wal("000000010000000000000002", 2));
        catalog.wrote(0, 11, KEY, wal("000000010000000000000003", 3));
        catalog.followed(0, 10, KEY, wal("000000010000000000000002", 2), false);
        assertThat(catalog.wal("c1", "local", "00000001")).contains(wal("000000010000000000000003", 3));
        catalog.followed(0, 11, KEY, wal("000000010000000000000003", 3), false);
        // Read back: from now on the topic decides, as another instance writes the key.
        catalog.followed(0, 12, KEY, wal("000000010000000000000004", 4), false);
        assertThat(catalog.wal("c1", "local", "00000001")).contains(wal("000000010000000000000004", 4));
    }

    @Test
    void itsOwnRecordReadBackIsNotParsedAgain() {
        catalog.wrote(0, 10, KEY, wal("000000010000000000000002", 2));
        catalog.followed(0, 10, KEY, () -> {
            throw new AssertionError("parsed again");
        }, false);
        assertThat(catalog.wal("c1", "local", "00000001")).contains(wal("000000010000000000000002", 2));
    }

    @Test
    void aWriteTheFollowerHasReadPastAlreadyDoesNotUndoWhatCameAfter() {
        // The follower read this instance's record (offset 10) and another instance's newer one before the write
        // was remembered.
        catalog.followed(0, 10, KEY, wal("000000010000000000000002", 2), false);
        catalog.followed(0, 11, KEY, wal("000000010000000000000005", 5), false);
        catalog.wrote(0, 10, KEY, wal("000000010000000000000002", 2));
        assertThat(catalog.wal("c1", "local", "00000001")).contains(wal("000000010000000000000005", 5));
    }

    @Test
    void aTombstoneWrittenHereIsNotUndoneByAnOlderRecordStillToBeRead() {
        catalog.followed(0, 3, KEY, wal("000000010000000000000002", 2), false);
        catalog.wrote(0, 20, KEY, null);
        catalog.followed(0, 7, KEY, wal("000000010000000000000003", 3), false);
        assertThat(catalog.get(KEY)).isEmpty();
        catalog.followed(0, 20, KEY, (io.stowage.events.data.CatalogEvent) null, true);
        catalog.followed(0, 21, KEY, wal("000000010000000000000009", 1), false);
        assertThat(catalog.get(KEY)).isPresent();
    }
}
