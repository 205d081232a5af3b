package io.stowage.restore.messaging;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServedClustersTest {
    @Test
    void namesAndGlobs() {
        Predicate<String> served = ServedClusters.of(List.of("pg-*", " billing ", "hr-?"));
        assertThat(served).accepts("pg-1", "pg-", "billing", "hr-a").rejects("pg", "billing2", "hr-ab", "x.pg-1");
        assertThat(ServedClusters.of(List.of("*"))).accepts("anything");
        // A dot in a name is a dot, not any character.
        assertThat(ServedClusters.of(List.of("a.b"))).accepts("a.b").rejects("axb");
    }

    @Test
    void anEmptyListIsRefused() {
        assertThatThrownBy(() -> ServedClusters.of(List.of(" "))).hasMessageContaining("leave it out");
    }
}
