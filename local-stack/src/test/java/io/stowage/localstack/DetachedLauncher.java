package io.stowage.localstack;

import java.nio.file.Path;

/** Starts a detached broker and exits at once, as {@code stowage up} does. */
public final class DetachedLauncher {
    static final String BOOTSTRAP_PREFIX = "bootstrap=";

    private DetachedLauncher() {
    }

    public static void main(String[] args) {
        KafkaBroker broker = KafkaBroker.startDetached(Path.of(args[0]), 0);
        System.out.println(BOOTSTRAP_PREFIX + broker.bootstrapServers());
    }
}
