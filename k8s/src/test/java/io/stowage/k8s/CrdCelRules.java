package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CRD's {@code x-kubernetes-validations} compiled and run with Google's CEL for Java, on the values
 * the API server would run them on. Not replicated: the API server types {@code self} field by field from
 * the schema (here an object is a map of dyn) and enforces a cost budget.
 */
final class CrdCelRules {
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

    /** A rule that returned false, on the value at {@code pointer} (storage names spelled out). */
    record Violation(String pointer, String message) {
    }

    private record Compiled(CelRule rule, CelRuntime.Program program) {
    }

    private final Map<String, List<Compiled>> byPointer;

    private CrdCelRules(Map<String, List<Compiled>> byPointer) {
        this.byPointer = byPointer;
    }

    /** Compiles every rule as the API server does when the CRD is applied; a rule that does not compile throws. */
    static CrdCelRules compile(BackupConfigCrd crd) {
        Map<String, List<Compiled>> compiled = new LinkedHashMap<>();
        crd.allCelRules().forEach((pointer, rules) -> {
            CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
                    .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                    .addVar("self", celType(crd.schemaAt(pointer)))
                    .addVar("oldSelf", celType(crd.schemaAt(pointer)))
                    .setResultType(SimpleType.BOOL)
                    .build();
            List<Compiled> programs = new ArrayList<>();
            for (CelRule rule : rules) {
                programs.add(new Compiled(rule, program(compiler, rule, pointer)));
            }
            compiled.put(pointer, programs);
        });
        return new CrdCelRules(compiled);
    }

    int size() {
        return byPointer.values().stream().mapToInt(List::size).sum();
    }

    /** The rules a new document breaks; transition rules (on {@code oldSelf}) do not run on create. */
    List<Violation> violations(JsonNode document) {
        return violations(null, document);
    }

    /**
     * The rules an update from {@code old} to {@code updated} breaks: transition rules run where the value exists in
     * both, as the API server runs them.
     */
    List<Violation> violations(JsonNode old, JsonNode updated) {
        List<Violation> violations = new ArrayList<>();
        byPointer.forEach((pattern, rules) -> valuesAt(updated, pattern, "").forEach((pointer, value) -> {
            Object before = old == null ? null : valuesAt(old, pattern, "").get(pointer);
            for (Compiled c : rules) {
                boolean transition = c.rule().rule().contains("oldSelf");
                if (transition && before == null) {
                    continue;
                }
                if (!evaluate(c, pointer, value, before)) {
                    violations.add(new Violation(pointer, c.rule().message()));
                }
            }
        }));
        return violations;
    }

    private static CelRuntime.Program program(CelCompiler compiler, CelRule rule, String pointer) {
        CelValidationResult result = compiler.compile(rule.rule());
        try {
            CelAbstractSyntaxTree ast = result.getAst();
            return RUNTIME.createProgram(ast);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalArgumentException("CEL rule at " + pointer + " does not compile: " + rule.rule() + "\n" + e.getMessage(), e);
        }
    }

    private static boolean evaluate(Compiled c, String pointer, Object value, Object before) {
        try {
            return (Boolean) c.program().eval(before == null ? Map.of("self", value)
                    : Map.of("self", value, "oldSelf", before));
        } catch (CelEvaluationException e) {
            // The API server reports an evaluation error as a refusal too; a test should see it as such.
            throw new IllegalStateException("CEL rule at " + pointer + " failed to evaluate: " + c.rule().rule(), e);
        }
    }

    /** The values matching a pointer pattern ({@code *} is every key), by their actual pointer; absent values run no rule. */
    private static Map<String, Object> valuesAt(JsonNode node, String pattern, String at) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return values;
        }
        if (pattern.isEmpty()) {
            values.put(at.isEmpty() ? "/" : at, JsonValues.toCel(node));
            return values;
        }
        int next = pattern.indexOf('/', 1);
        String segment = next < 0 ? pattern.substring(1) : pattern.substring(1, next);
        String rest = next < 0 ? "" : pattern.substring(next);
        if (segment.equals("*")) {
            node.properties().forEach(f -> values.putAll(valuesAt(f.getValue(), rest, at + "/" + f.getKey())));
        } else {
            values.putAll(valuesAt(node.get(segment), rest, at + "/" + segment));
        }
        return values;
    }

    private static CelType celType(JsonNode schema) {
        return switch (schema.path("type").asText()) {
            case "string" -> SimpleType.STRING;
            case "boolean" -> SimpleType.BOOL;
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "array" -> ListType.create(celType(schema.path("items")));
            case "object" -> MapType.create(SimpleType.STRING,
                    schema.path("additionalProperties").isObject() ? celType(schema.path("additionalProperties")) : SimpleType.DYN);
            default -> SimpleType.DYN;
        };
    }
}
