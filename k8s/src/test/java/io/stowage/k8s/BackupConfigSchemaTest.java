package io.stowage.k8s;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the CRD's schema to the examples and the invalid documents. The structural schema is run as
 * JSON Schema; CEL rules are only shown to exist here where an invalid document needs them (CelRulesTest runs them).
 */
class BackupConfigSchemaTest {
    private static final BackupConfigCrd CRD = BackupConfigCrd.load();
    private static final BackupConfigSchema SCHEMA = BackupConfigSchema.of(CRD);

    static List<Path> examples() {
        return ModuleFiles.yamlFiles(ModuleFiles.EXAMPLES);
    }

    static List<InvalidDocument> invalidDocuments() {
        return ModuleFiles.yamlFiles(ModuleFiles.INVALID).stream().map(InvalidDocument::load).toList();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValid(Path example) {
        assertThat(SCHEMA.refusals(ModuleFiles.read(example))).as(example.toString()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidDocuments")
    void everyInvalidDocumentSaysWhatIsWrongAndWhatRefusesIt(InvalidDocument invalid) {
        assertThat(invalid.saysWhatIsWrong()).as("first line '# Invalid: ...'").isTrue();
        assertThat(invalid.schemaRefusals().size() + invalid.celRefusals().size())
                .as("'# expect:' lines").isPositive();
    }

    @ParameterizedTest
    @MethodSource("invalidDocuments")
    void theSchemaRefusesExactlyForTheExpectedReasons(InvalidDocument invalid) {
        // Exactly: a document wrong in one more way than it says would not prove the reason it names.
        // A document that only CEL refuses must pass the schema, or the CEL rule would be untested.
        assertThat(SCHEMA.refusals(invalid.document())).containsExactlyInAnyOrderElementsOf(invalid.schemaRefusals());
    }

    @ParameterizedTest
    @MethodSource("invalidDocuments")
    void theCelRuleAnInvalidDocumentNeedsIsInTheCrd(InvalidDocument invalid) {
        for (InvalidDocument.ExpectedCel expected : invalid.celRefusals()) {
            assertThat(CRD.celRulesAt(expected.pointer()))
                    .extracting(CelRule::message)
                    .as("CEL messages at " + expected.pointer())
                    .contains(expected.message());
        }
    }

    @Test
    void everyCelRuleIsNeededBySomeInvalidDocument() {
        Set<String> needed = invalidDocuments().stream()
                .flatMap(d -> d.celRefusals().stream())
                .map(InvalidDocument.ExpectedCel::message)
                .collect(Collectors.toSet());
        List<String> inCrd = CRD.allCelRules().values().stream()
                .flatMap(List::stream).map(CelRule::message).toList();
        assertThat(needed).containsExactlyInAnyOrderElementsOf(inCrd);
    }
}
