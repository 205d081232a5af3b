package io.stowage.events;

import io.stowage.events.data.RestoreStep;
import io.stowage.events.data.RestoreStepName;
import io.stowage.events.data.RestoreStepStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore's step names and statuses as the wire carries them. The names are written out here on purpose: the
 * CLI, the docs and people's scripts read them, so renaming a constant must not rename a step.
 */
class RestoreStepNamesTest {

    @Test
    void theStepsKeepTheirWireNamesInTheOrderARestoreRunsThem() {
        assertThat(Arrays.stream(RestoreStepName.values()).map(RestoreStepName::wireName)).containsExactly(
                "pause-archiving", "fetch-base-backup", "verify-backup", "fetch-wal", "write-recovery-settings",
                "stop-primary", "start-restored", "wait-promotion", "stop-restored", "switch-data-directory", "resume-archiving",
                "backup-after-restore", "restart-previous-primary");
    }

    @Test
    void theStatusesAreExactlyTheOnesTheSchemaAllows() {
        List<String> allowed = new ArrayList<>();
        GoldenEvents.resource("/schemas/io.stowage.restore.step.v1.json").at("/properties/status/enum")
                .forEach(v -> allowed.add(v.asText()));

        assertThat(allowed).isNotEmpty();
        assertThat(Arrays.stream(RestoreStepStatus.values()).map(RestoreStepStatus::wireName))
                .containsExactlyElementsOf(allowed);
    }

    @Test
    void aWireNameReadsBackAsItsConstantAndAnUnknownOneAsNone() {
        for (RestoreStepName step : RestoreStepName.values()) {
            assertThat(RestoreStepName.fromWireName(step.wireName())).contains(step);
        }
        for (RestoreStepStatus status : RestoreStepStatus.values()) {
            assertThat(RestoreStepStatus.fromWireName(status.wireName())).contains(status);
        }
        // The schema leaves step names open: a step added by a newer restore-service is not an error.
        assertThat(RestoreStepName.fromWireName("defragment-tablespaces")).isEmpty();
        assertThat(RestoreStepName.fromWireName("FETCH_WAL")).isEmpty();
        assertThat(RestoreStepStatus.fromWireName("completed")).isEmpty();
    }

    @Test
    void aStepPutIntoAMessageReadsAsItsWireName() {
        assertThat("the restore failed at " + RestoreStepName.FETCH_WAL).isEqualTo("the restore failed at fetch-wal");
    }

    @Test
    void aStepBuiltFromTheConstantsIsTheStepBuiltFromItsWireNames() {
        RestoreStep typed = new RestoreStep("pg1", "r1", RestoreStepName.FETCH_WAL, RestoreStepStatus.SKIPPED,
                "already done");

        assertThat(typed).isEqualTo(new RestoreStep("pg1", "r1", "fetch-wal", "SKIPPED", "already done"));
        assertThat(typed.is(RestoreStepName.FETCH_WAL)).isTrue();
        assertThat(typed.is(RestoreStepName.FETCH_BASE_BACKUP)).isFalse();
        assertThat(typed.is(RestoreStepStatus.SKIPPED)).isTrue();
        assertThat(typed.is(RestoreStepStatus.COMPLETED)).isFalse();
        assertThat(GoldenEvents.onTheWire(typed).toString())
                .isEqualTo("{\"cluster\":\"pg1\",\"restoreId\":\"r1\",\"step\":\"fetch-wal\",\"status\":\"SKIPPED\","
                        + "\"detail\":\"already done\"}");
    }
}
