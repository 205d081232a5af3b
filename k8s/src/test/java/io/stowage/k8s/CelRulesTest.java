package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the CRD's CEL rules (Google's CEL for Java) on the examples and the invalid documents: the rules
 * compile, pass every example, and refuse exactly what each invalid document says a CEL rule refuses.
 */
class CelRulesTest {
    private static final CrdCelRules RULES = CrdCelRules.compile(BackupConfigCrd.load());
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<Path> examples() {
        return ModuleFiles.yamlFiles(ModuleFiles.EXAMPLES);
    }

    static List<InvalidDocument> invalidDocuments() {
        return ModuleFiles.yamlFiles(ModuleFiles.INVALID).stream().map(InvalidDocument::load).toList();
    }

    @Test
    void everyRuleCompiles() {
        assertThat(RULES.size()).isEqualTo(BackupConfigCrd.load().allCelRules().values().stream().mapToInt(List::size).sum())
                .isPositive();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExamplePassesEveryRule(Path example) {
        assertThat(RULES.violations(ModuleFiles.read(example))).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalidDocuments")
    void rulesRefuseExactlyWhatTheDocumentExpects(InvalidDocument invalid) {
        List<CrdCelRules.Violation> expected = invalid.celRefusals().stream()
                .map(e -> new CrdCelRules.Violation(e.pointer(), e.message())).toList();
        assertThat(RULES.violations(invalid.document())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aSingleStorageNeedsNoMainFlag() {
        assertThat(RULES.violations(storages("""
                only: {type: filesystem, filesystem: {path: /srv/backups}}
                """))).isEmpty();
    }

    @Test
    void oneMainAmongSeveralPasses() {
        assertThat(RULES.violations(storages("""
                a: {main: true, type: filesystem, filesystem: {path: /a}}
                b: {main: false, type: filesystem, filesystem: {path: /b}}
                c: {type: filesystem, filesystem: {path: /c}}
                """))).isEmpty();
    }

    @Test
    void threeMainsAreOneViolationOfTheOneMainRule() {
        assertThat(RULES.violations(storages("""
                a: {main: true, type: filesystem, filesystem: {path: /a}}
                b: {main: true, type: filesystem, filesystem: {path: /b}}
                c: {main: true, type: filesystem, filesystem: {path: /c}}
                """))).extracting(CrdCelRules.Violation::message)
                .containsExactly("several storages have main: true: mark exactly one with main: true");
    }

    @Test
    void aSingleStorageMarkedMainFalseIsLeftToConfigService() {
        // The contract does not say whether a lone storage with main: false is valid; the CRD lets it through.
        assertThat(RULES.violations(storages("""
                only: {main: false, type: filesystem, filesystem: {path: /srv/backups}}
                """))).isEmpty();
    }

    private static JsonNode storages(String yaml) {
        try {
            return YAML.readTree("spec:\n  storages:\n" + yaml.indent(4));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
