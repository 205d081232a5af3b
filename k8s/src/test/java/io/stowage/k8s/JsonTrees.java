package io.stowage.k8s;

import com.fasterxml.jackson.databind.JsonNode;

/** Compares JSON trees as documents: 5432 read as an int and as a long are the same number. */
final class JsonTrees {
    private JsonTrees() {
    }

    /** Every field and item of {@code part} is in {@code whole} with the same value; {@code whole} may have more fields. */
    static boolean contains(JsonNode whole, JsonNode part) {
        if (part.isObject()) {
            return whole.isObject() && part.properties().stream()
                    .allMatch(f -> whole.has(f.getKey()) && contains(whole.get(f.getKey()), f.getValue()));
        }
        if (part.isArray()) {
            if (!whole.isArray() || whole.size() != part.size()) {
                return false;
            }
            for (int i = 0; i < part.size(); i++) {
                if (!contains(whole.get(i), part.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return equal(whole, part);
    }

    static boolean equal(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber()
                ? x.decimalValue().compareTo(y.decimalValue())
                : x.equals(y) ? 0 : 1, b);
    }
}
