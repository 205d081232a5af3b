package io.stowage.localstack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the JDK's keytool, which makes and signs the keys of the test CAs (the JDK has no public API for it). */
final class Keytool {
    /** The environment variable that carries a store password, so that it is on no command line. */
    static final String PASSWORD_VARIABLE = "STOWAGE_KEYSTORE_PASSWORD";

    private Keytool() {
    }

    static void run(String... args) {
        command(args).runOrThrow();
    }

    /** Runs it with {@code -storepass:env}: the password stays out of {@code ps} and out of any failure message. */
    static void runWithPassword(String password, String... args) {
        List<String> withPassword = new ArrayList<>(List.of(args));
        withPassword.addAll(List.of("-storepass:env", PASSWORD_VARIABLE));
        command(withPassword.toArray(String[]::new)).environment(Map.of(PASSWORD_VARIABLE, password)).runOrThrow();
    }

    private static ExternalCommand command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary());
        // Short-lived JVMs: C1 only and the serial collector make each run about a third faster.
        command.addAll(List.of("-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        command.add("-noprompt");
        return ExternalCommand.of(command);
    }

    private static String binary() {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        return Files.isExecutable(keytool) ? keytool.toString() : "keytool";
    }
}
