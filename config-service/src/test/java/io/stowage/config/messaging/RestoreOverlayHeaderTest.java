package io.stowage.config.messaging;

import io.stowage.config.topology.RestoreOverlay;
import io.stowage.events.spec.PitrSpec;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The overlay survives the trip through a record's headers; no overlay, no header. */
class RestoreOverlayHeaderTest {

    @Test
    void roundTrip() {
        RestoreOverlay overlay = new RestoreOverlay(new RestoreOverlay.TemporaryMain("r1", "backup-source", "corr",
                new PitrSpec(true)), List.of("dr", "backup-source-1a2b3c4d"));
        RecordHeaders headers = new RecordHeaders();
        RestoreOverlayHeader.write(overlay, headers);

        assertThat(RestoreOverlayHeader.read(headers)).isEqualTo(overlay);
        assertThat(new String(headers.lastHeader(RestoreOverlayHeader.NAME).value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"temporaryMain\":{\"restoreId\":\"r1\",\"storage\":\"backup-source\","
                        + "\"correlationId\":\"corr\",\"pitrBefore\":{\"enabled\":true}},"
                        + "\"profiles\":[\"backup-source-1a2b3c4d\",\"dr\"]}");
    }

    @Test
    void noOverlayNoHeader_andAnUnreadableOneIsNone() {
        RecordHeaders headers = new RecordHeaders();
        RestoreOverlayHeader.write(RestoreOverlay.NONE, headers);
        assertThat(headers.toArray()).isEmpty();
        assertThat(RestoreOverlayHeader.read(headers)).isEqualTo(RestoreOverlay.NONE);

        headers.add(RestoreOverlayHeader.NAME, "{not json".getBytes(StandardCharsets.UTF_8));
        assertThat(RestoreOverlayHeader.read(headers)).isEqualTo(RestoreOverlay.NONE);
    }
}
