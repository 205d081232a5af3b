package io.stowage.localstack;

import java.nio.file.Path;

/** Starts a detached broker and exits at once, as {@code stowage up} does; a second argument names its shape. */
public final class DetachedLauncher {
    static final String BOOTSTRAP_PREFIX = "bootstrap=";

    private DetachedLauncher() {
    }

    public static void main(String[] args) {
        BrokerSecurity security = args.length > 1 ? BrokerSecurity.valueOf(args[1]) : BrokerSecurity.PLAINTEXT;
        KafkaBroker broker = KafkaBroker.startDetached(Path.of(args[0]), 0, security);
        System.out.println(BOOTSTRAP_PREFIX + broker.bootstrapServers());
    }
}
