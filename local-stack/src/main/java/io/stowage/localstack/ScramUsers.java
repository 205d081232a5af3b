package io.stowage.localstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The SCRAM-SHA-512 passwords of the {@link BrokerUser}s: random, made on the first start and kept in a private file,
 * because the broker's storage holds their salted form from the day it was formatted.
 */
final class ScramUsers {
    static final String MECHANISM = "SCRAM-SHA-512";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<BrokerUser, String> passwords;

    private ScramUsers(Map<BrokerUser, String> passwords) {
        this.passwords = passwords;
    }

    /** The passwords kept in {@code file}, or new ones written there (mode 0600). */
    static ScramUsers ensure(Path file) {
        try {
            Map<BrokerUser, String> passwords = new EnumMap<>(BrokerUser.class);
            if (Files.exists(file)) {
                Properties kept = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    kept.load(reader);
                }
                for (BrokerUser user : BrokerUser.values()) {
                    String password = kept.getProperty(user.userName());
                    if (password == null) {
                        throw new IllegalStateException(file + " has no password for " + user.userName());
                    }
                    passwords.put(user, password);
                }
                return new ScramUsers(passwords);
            }
            StringBuilder text = new StringBuilder("# SCRAM-SHA-512 passwords of the Kafka broker's users in this"
                    + " directory, added to its storage when it was formatted.\n");
            for (BrokerUser user : BrokerUser.values()) {
                // Hex: StorageTool's [name=...,password=...] syntax has no quoting for ',' or ']'.
                byte[] secret = new byte[24];
                RANDOM.nextBytes(secret);
                passwords.put(user, HexFormat.of().formatHex(secret));
                text.append(user.userName()).append('=').append(passwords.get(user)).append('\n');
            }
            LocalFiles.writePrivate(file, text.toString());
            return new ScramUsers(passwords);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep the Kafka broker's SCRAM users in " + file, e);
        }
    }

    String password(BrokerUser user) {
        return passwords.get(user);
    }

    /** StorageTool's {@code --add-scram} arguments (KIP-900): the users exist from the broker's first start. */
    List<String> formatArguments() {
        List<String> args = new ArrayList<>();
        for (BrokerUser user : BrokerUser.values()) {
            args.add("--add-scram");
            args.add(MECHANISM + "=[name=" + user.userName() + ",password=" + password(user) + "]");
        }
        return args;
    }

    /** The JAAS line a client (or the broker, connecting to itself) logs in with. */
    String jaasConfig(BrokerUser user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user.userName()
                + "\" password=\"" + password(user) + "\";";
    }

    @Override
    public String toString() {
        return "ScramUsers" + passwords.keySet(); // never the passwords
    }
}
