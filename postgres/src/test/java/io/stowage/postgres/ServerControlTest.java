package io.stowage.postgres;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServerControlTest {

    @Test
    void optionsAreQuotedForPgCtlsShellOneWordEach() {
        assertThat(ServerControl.shellQuoted(List.of("-c", "log_line_prefix=%m [%p] ",
                "archive_command=test ! -f '/a b/%f' && cp %p '/a b/%f'")))
                .isEqualTo("'-c' 'log_line_prefix=%m [%p] ' "
                        + "'archive_command=test ! -f '\\''/a b/%f'\\'' && cp %p '\\''/a b/%f'\\'''");
        assertThat(ServerControl.shellQuoted(List.of())).isEmpty();
    }

    @Test
    void theCheckpointTimelineIsReadFromPgControldata() throws Exception {
        String printed = "pg_control version number:            1300\n"
                + "Latest checkpoint's REDO location:    0/3004918\n"
                + "Latest checkpoint's TimeLineID:       2\n"
                + "Latest checkpoint's PrevTimeLineID:   1\n";
        assertThat(ServerControl.controlTimeline(printed)).isEqualTo(2);
        assertThatThrownBy(() -> ServerControl.controlTimeline("pg_control version number: 1300\n"))
                .hasMessageContaining("TimeLineID");
    }
}
