package io.stowage.postgres;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WalSegmentsTest {
    private static final long MIB_16 = 16L << 20;

    @Test
    void namesSegmentsAsPostgresDoes() {
        // SELECT pg_walfile_name('0/3000028') on timeline 1 with 16 MiB segments: 000000010000000000000003
        assertThat(WalSegments.segmentName(1, WalSegments.parseLsn("0/3000028"), MIB_16))
                .isEqualTo("000000010000000000000003");
        // The segment after 0/FF000000 is the first of log id 1: 000000010000000100000000
        assertThat(WalSegments.segmentName(1, WalSegments.parseLsn("1/0"), MIB_16)).isEqualTo("000000010000000100000000");
        assertThat(WalSegments.segmentName(2, WalSegments.parseLsn("0/FFFFFFFF"), MIB_16)).isEqualTo("0000000200000000000000FF");
        // 1 GiB segments: four per log id.
        assertThat(WalSegments.segmentName(3, WalSegments.parseLsn("2/C0000000"), 1L << 30)).isEqualTo("000000030000000200000003");
    }

    @Test
    void segmentNamesAndStartsAreInverse() {
        for (String lsn : new String[]{"0/0", "0/1000000", "1A/FF000000", "7F/3000000"}) {
            long start = WalSegments.parseLsn(lsn);
            assertThat(WalSegments.startOf(WalSegments.segmentName(1, start, MIB_16), MIB_16)).isEqualTo(start);
        }
        assertThat(WalSegments.segmentStart(WalSegments.parseLsn("0/3000028"), MIB_16)).isEqualTo(0x3000000L);
    }

    @Test
    void lsnsRoundTrip() {
        assertThat(WalSegments.formatLsn(WalSegments.parseLsn("1A/FF000028"))).isEqualTo("1A/FF000028");
        assertThat(WalSegments.formatLsn(0)).isEqualTo("0/0");
        assertThatThrownBy(() -> WalSegments.parseLsn("3000028")).hasMessageContaining("not an LSN");
        assertThatThrownBy(() -> WalSegments.startOf("00000001000000000000003", MIB_16))
                .hasMessageContaining("not a WAL segment name");
        assertThat(WalSegments.historyFileName(2)).isEqualTo("00000002.history");
    }
}
