package io.stowage.restore.plan;

import io.stowage.events.data.CatalogWal;
import io.stowage.restore.plan.WalChain.Gap;
import io.stowage.restore.plan.WalChain.Piece;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.stowage.restore.plan.CatalogEntries.segment;
import static io.stowage.restore.plan.CatalogEntries.wal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalChainTest {

    private static WalChain chain(List<String> storages, CatalogWal... wal) {
        return WalChain.of(1, storages, List.of(wal));
    }

    @Test
    void segmentNumbersAndNamesMatchPostgres() {
        assertThat(WalChain.name(1, 5)).isEqualTo("000000010000000000000005");
        // 256 segments of 16 MiB per log id: segment 256 is the first of log id 1.
        assertThat(WalChain.name(2, 256)).isEqualTo("000000020000000100000000");
        assertThat(WalChain.number("0000000100000001000000FF")).isEqualTo(511);
        assertThat(WalChain.numberOfLsn(0x3000028L)).isEqualTo(3);
        assertThat(WalChain.numberOfLsn(0x2FFFFFFL)).isEqualTo(2);
    }

    @Test
    void endOfChainFromFollowsTheChainAcrossStorages() {
        // The old main has the start, the main the middle (overlapping), a profile the newest segments.
        WalChain chain = chain(List.of("main", "old-main", "profile"),
                wal("main", 6, 12), wal("old-main", 3, 9), wal("profile", 13, 15));

        assertThat(chain.endOfChainFrom(3)).contains(15L);
        assertThat(chain.endOfChainFrom(10)).contains(15L);
        assertThat(chain.endOfChainFrom(15)).contains(15L);
    }

    @Test
    void endOfChainFromJoinsRunsWhateverOrderTheCatalogListsThemIn() {
        // The most preferred storage has the newest run: a single pass over the pieces would stop at 5.
        WalChain chain = chain(List.of("a", "b", "c"), wal("a", 9, 10), wal("b", 6, 8), wal("c", 3, 5));

        assertThat(chain.endOfChainFrom(3)).contains(10L);
    }

    @Test
    void endOfChainFromStopsAtTheFirstMissingSegment() {
        WalChain chain = chain(List.of("main", "profile"), wal("main", 3, 5, 9, 10), wal("profile", 4, 6));

        assertThat(chain.endOfChainFrom(3)).contains(6L);
        assertThat(chain.endOfChainFrom(9)).contains(10L);
    }

    @Test
    void endOfChainFromASegmentOnNoStorageIsEmpty() {
        WalChain chain = chain(List.of("main"), wal("main", 3, 5, 9, 10));

        assertThat(chain.endOfChainFrom(7)).isEmpty();
        assertThat(chain.endOfChainFrom(2)).isEmpty();
        assertThat(chain.endOfChainFrom(11)).isEmpty();
    }

    @Test
    void onlyTheChainsTimelineAndTheGivenStoragesCount() {
        List<CatalogWal> wal = List.of(wal("main", 3, 5), wal("main", 2, false, 6, 9), wal("elsewhere", 6, 9));

        WalChain chain = WalChain.of(1, List.of("main"), wal);

        assertThat(chain.endOfChainFrom(3)).contains(5L);
        assertThat(chain.storageOf(7)).isEmpty();
        assertThat(chain.newest()).contains(5L);
        assertThat(WalChain.of(2, List.of("main"), wal).endOfChainFrom(6)).contains(9L);
    }

    @Test
    void gapAfterNamesTheMissingRange() {
        WalChain chain = chain(List.of("main", "profile"), wal("main", 3, 5, 20, 25), wal("profile", 9, 10));

        // The next segment known anywhere ends the gap, whichever storage has it.
        assertThat(chain.gapAfter(5)).contains(new Gap(1, 6, 8));
        assertThat(chain.gapAfter(5).orElseThrow().describe())
                .isEqualTo("000000010000000000000006 to 000000010000000000000008");
        assertThat(chain.gapAfter(10)).contains(new Gap(1, 11, 19));
    }

    @Test
    void gapAfterDescribesARangeAcrossALogIdAsPostgresNamesIt() {
        WalChain chain = WalChain.of(3, List.of("main"),
                List.of(wal("main", 3, false, 250, 253, 258, 260)));

        Gap gap = chain.gapAfter(253).orElseThrow();

        assertThat(gap).isEqualTo(new Gap(3, 254, 257));
        assertThat(gap.describe()).isEqualTo("0000000300000000000000FE to 000000030000000100000001");
    }

    @Test
    void gapAfterTheNewestSegmentIsEmpty() {
        WalChain chain = chain(List.of("main", "profile"), wal("main", 3, 5), wal("profile", 4, 8));

        assertThat(chain.newest()).contains(8L);
        assertThat(chain.gapAfter(8)).isEmpty();
        assertThat(chain(List.of("main")).gapAfter(0)).isEmpty();
    }

    @Test
    void gapAfterASegmentThatIsFollowedIsEmpty() {
        // 6 is there: nothing is missing right after 5, though 10..11 is missing further on.
        WalChain chain = chain(List.of("main", "profile"), wal("main", 3, 9, 12, 15), wal("profile", 6, 7));

        assertThat(chain.gapAfter(5)).isEmpty();
        assertThat(chain.gapAfter(9)).contains(new Gap(1, 10, 11));
    }

    @Test
    void storageOfPrefersTheStoragesInTheGivenOrder() {
        CatalogWal main = wal("main", 6, 12);
        CatalogWal oldMain = wal("old-main", 3, 9);
        CatalogWal profile = wal("profile", 1, 20);

        WalChain chain = chain(List.of("main", "old-main", "profile"), profile, oldMain, main);

        assertThat(chain.storageOf(7)).contains("main");
        assertThat(chain.storageOf(4)).contains("old-main");
        assertThat(chain.storageOf(2)).contains("profile");
        assertThat(chain.storageOf(15)).contains("profile");
        assertThat(chain.storageOf(21)).isEmpty();

        WalChain reversed = chain(List.of("profile", "old-main", "main"), profile, oldMain, main);
        assertThat(reversed.storageOf(7)).contains("profile");
    }

    @Test
    void planReadsASegmentOnBothStoragesFromTheMain() {
        WalChain chain = chain(List.of("main", "oldMain"), wal("oldMain", 3, 9), wal("main", 6, 12));

        assertThat(chain.plan(3, 12)).containsExactly(
                new Piece("oldMain", 1, 3, 5),
                new Piece("main", 1, 6, 12));
    }

    @Test
    void planGoesBackToALessPreferredStorageWhereThePreferredOneEnds() {
        WalChain chain = chain(List.of("main", "old-main"), wal("main", 2, 4, 8, 9), wal("old-main", 1, 10));

        assertThat(chain.plan(1, 10)).containsExactly(
                new Piece("old-main", 1, 1, 1),
                new Piece("main", 1, 2, 4),
                new Piece("old-main", 1, 5, 7),
                new Piece("main", 1, 8, 9),
                new Piece("old-main", 1, 10, 10));
    }

    @Test
    void planCoversExactlyTheAskedSegments() {
        WalChain chain = chain(List.of("main", "profile"), wal("main", 6, 12), wal("profile", 1, 7));

        assertThat(chain.plan(4, 9)).containsExactly(new Piece("profile", 1, 4, 5), new Piece("main", 1, 6, 9));
        assertThat(chain.plan(7, 7)).containsExactly(new Piece("main", 1, 7, 7));
        assertThat(chain.plan(8, 7)).isEmpty();
        assertThat(chain.plan(4, 9).stream().mapToLong(Piece::count).sum()).isEqualTo(6);
    }

    @Test
    void planRefusesASegmentOnNoStorage() {
        WalChain chain = chain(List.of("main"), wal("main", 3, 5, 8, 9));

        assertThatThrownBy(() -> chain.plan(3, 9))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(segment(1, 6));
    }
}
