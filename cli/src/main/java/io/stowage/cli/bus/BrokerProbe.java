package io.stowage.cli.bus;

import io.stowage.bus.KafkaConnection;
import io.stowage.cli.CliFailure;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Whether anything listens at a Kafka address. A Kafka client facing a stopped broker retries for its whole
 * timeout; a plain connect answers at once, so commands can say "not reachable" instead of hanging. It says nothing
 * of TLS or credentials: those are the clients' to find out, and {@link KafkaRefusal} to explain.
 */
public final class BrokerProbe {
    private static final int CONNECT_TIMEOUT_MILLIS = 1_000;

    private BrokerProbe() {
    }

    /** True when at least one of the bootstrap servers ({@code host:port,host:port}) accepts a connection. */
    public static boolean reachable(KafkaConnection kafka) {
        for (String server : kafka.bootstrapServers().split(",")) {
            String s = server.strip();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))),
                        CONNECT_TIMEOUT_MILLIS);
                return true;
            } catch (IOException | IllegalArgumentException notThere) {
                // try the next one
            }
        }
        return false;
    }

    /** Fails with a message that says what to do when nothing listens at the address. */
    public static void require(KafkaConnection kafka) {
        if (!reachable(kafka)) {
            throw new CliFailure("Kafka at " + kafka.bootstrapServers() + " is not reachable. Is the stack up? "
                    + "Start it with `stowage up`, or point --kafka or --kafka-config at your brokers.");
        }
    }
}
