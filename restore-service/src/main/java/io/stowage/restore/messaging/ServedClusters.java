package io.stowage.restore.messaging;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** The clusters an instance restores ({@code stowage.restore.serves}): names, or globs with {@code *} and {@code ?}. */
final class ServedClusters {
    private ServedClusters() {
    }

    static Predicate<String> of(List<String> globs) {
        List<Pattern> patterns = globs.stream().map(String::trim).filter(g -> !g.isEmpty())
                .map(ServedClusters::pattern).toList();
        if (patterns.isEmpty()) {
            throw new IllegalArgumentException("stowage.restore.serves names no cluster: leave it out to serve all");
        }
        return cluster -> patterns.stream().anyMatch(p -> p.matcher(cluster).matches());
    }

    private static Pattern pattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
