package io.stowage.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/events.md is the contract people read: it must show every type, with its golden example, and every topic. */
class DocsTest {
    // Surefire runs in the module folder; the docs live at the repository root.
    private static final Path EVENTS_MD = Path.of("..", "docs", "events.md");

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyTypeHasASectionWhoseExampleIsItsGoldenFixture(EventType type) throws IOException {
        String docs = Files.readString(EVENTS_MD);
        String heading = "#### `" + type.type().substring("io.stowage.".length()) + "`";

        int section = docs.indexOf(heading);
        assertThat(section).as(heading).isNotNegative();
        int next = docs.indexOf("\n#", section + heading.length());
        String body = next < 0 ? docs.substring(section) : docs.substring(section, next);
        int start = body.indexOf("```json\n");
        assertThat(start).as("an example in the section " + heading).isNotNegative();
        start += "```json\n".length();
        JsonNode example = EventJson.MAPPER.readTree(body.substring(start, body.indexOf("```", start)));
        assertThat(example).isEqualTo(GoldenEvents.fixture(type));
    }

    @Test
    void everyTopicIsInTheTopicsTable() throws IOException {
        String docs = Files.readString(EVENTS_MD);

        for (Topics.TopicSpec topic : Topics.ALL) {
            assertThat(docs).contains("| `" + topic.name() + "` |");
        }
    }
}
