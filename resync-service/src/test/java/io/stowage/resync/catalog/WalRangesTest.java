package io.stowage.resync.catalog;

import io.stowage.events.data.CatalogWal.SegmentRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WalRangesTest {
    private static final String S3 = "000000010000000000000003";
    private static final String S4 = "000000010000000000000004";
    private static final String S5 = "000000010000000000000005";
    private static final String S9 = "000000010000000000000009";
    private static final String FF = "0000000100000000000000FF";
    private static final String NEXT_LOG = "000000010000000100000000";

    @Test
    void segmentsFollowWithinALogIdAndAcrossItsEnd() {
        assertThat(WalRanges.follows(S3, S4)).isTrue();
        assertThat(WalRanges.follows(S3, S5)).isFalse();
        assertThat(WalRanges.follows(FF, NEXT_LOG)).as("16 MiB segments: 0xFF is a log id's last").isTrue();
        assertThat(WalRanges.follows(S9, NEXT_LOG)).isFalse();
    }

    @Test
    void buildsRunsFromAListing() {
        WalRanges.Builder b = new WalRanges.Builder();
        List.of(S3, S4, S5, S9, FF, NEXT_LOG).forEach(b::add);

        assertThat(b.ranges()).containsExactly(new SegmentRange(S3, S5), new SegmentRange(S9, S9),
                new SegmentRange(FF, NEXT_LOG));
        assertThat(b.count()).isEqualTo(6);
    }

    @Test
    void addsOneSegmentJoiningRunsWhereItFillsAGap() {
        List<SegmentRange> ranges = List.of(new SegmentRange(S3, S3), new SegmentRange(S5, S5));

        assertThat(WalRanges.with(ranges, S4)).containsExactly(new SegmentRange(S3, S5));
        assertThat(WalRanges.with(ranges, S9)).containsExactly(new SegmentRange(S3, S3), new SegmentRange(S5, S5),
                new SegmentRange(S9, S9));
        assertThat(WalRanges.with(ranges, S3)).isSameAs(ranges);
        assertThat(WalRanges.with(List.of(), S3)).containsExactly(new SegmentRange(S3, S3));
        assertThat(WalRanges.with(List.of(new SegmentRange(S4, S5)), S3)).containsExactly(new SegmentRange(S3, S5));
    }

    @Test
    void aCutTakesOutWholeRangesAndTrimsThoseItCrosses() {
        List<SegmentRange> ranges = List.of(new SegmentRange(S3, S5), new SegmentRange(S9, NEXT_LOG));

        WalRanges.Cut cut = WalRanges.without(ranges, S3, "00000001000000000000000A");
        assertThat(cut.ranges()).containsExactly(new SegmentRange("00000001000000000000000B", NEXT_LOG));
        assertThat(cut.removed()).isEqualTo(3 + 2);

        WalRanges.Cut across = WalRanges.without(ranges, S4, FF);
        assertThat(across.ranges()).containsExactly(new SegmentRange(S3, S3), new SegmentRange(NEXT_LOG, NEXT_LOG));
        assertThat(across.removed()).isEqualTo(2 + (0xFF - 0x09 + 1));

        assertThat(WalRanges.without(ranges, "000000010000000200000000", "000000010000000200000005").ranges())
                .isEqualTo(ranges);
    }
}
