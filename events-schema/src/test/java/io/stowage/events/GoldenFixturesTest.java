package io.stowage.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.stowage.events.data.StowageEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The golden fixtures pin the wire format: schema, Jackson mapping and records must all agree with them. */
class GoldenFixturesTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    void fixtureIsValidAgainstItsSchema(EventType type) {
        assertThat(EventSchemas.violations(type, GoldenEvents.fixture(type))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void fixtureSurvivesReadingAndWritingUnchanged(EventType type) {
        JsonNode fixture = GoldenEvents.fixture(type);

        StowageEvent data = EventJson.read(fixture, type.dataClass());

        assertThat(data).isInstanceOf(type.dataClass());
        assertThat(GoldenEvents.onTheWire(data)).isEqualTo(fixture);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void recordBuiltInCodeWritesExactlyTheFixture(EventType type) {
        StowageEvent built = GoldenEvents.example(type);

        assertThat(EventType.of(built)).isEqualTo(type);
        assertThat(GoldenEvents.onTheWire(built)).isEqualTo(GoldenEvents.fixture(type));
        assertThat(EventJson.read(GoldenEvents.fixture(type), type.dataClass())).isEqualTo(built);
    }
}
