package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A document under {@code src/test/resources/invalid} and what its comments say must refuse it:
 * {@code # expect: <keyword> <pointer> [<property>]} for the schema, or
 * {@code # expect: cel <pointer> "<message>"} for a CEL rule.
 */
record InvalidDocument(Path file, JsonNode document, Set<Refusal> schemaRefusals, List<ExpectedCel> celRefusals) {
    private static final String EXPECT = "# expect: ";
    private static final Pattern CEL = Pattern.compile("cel (\\S+) \"(.+)\"");

    /** A CEL rule with this message, on the value at this JSON Pointer, must refuse the document. */
    record ExpectedCel(String pointer, String message) {
    }

    static InvalidDocument load(Path file) {
        Set<Refusal> schema = new HashSet<>();
        List<ExpectedCel> cel = new ArrayList<>();
        for (String line : ModuleFiles.lines(file)) {
            if (!line.startsWith(EXPECT)) {
                continue;
            }
            String expectation = line.substring(EXPECT.length());
            Matcher m = CEL.matcher(expectation);
            if (m.matches()) {
                cel.add(new ExpectedCel(m.group(1), m.group(2)));
            } else {
                schema.add(Refusal.parse(expectation));
            }
        }
        return new InvalidDocument(file, ModuleFiles.read(file), schema, cel);
    }

    boolean saysWhatIsWrong() {
        return ModuleFiles.lines(file).get(0).startsWith("# Invalid: ");
    }

    @Override
    public String toString() {
        return file.getFileName().toString();
    }
}
