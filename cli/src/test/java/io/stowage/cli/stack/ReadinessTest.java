package io.stowage.cli.stack;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ReadinessTest {
    private HttpServer server;
    private Process service;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (service != null) {
            service.destroyForcibly();
        }
    }

    /** A live process to watch (a JVM may not wait for its own exit). */
    private ProcessHandle runningService() throws IOException {
        service = new ProcessBuilder(Executables.java(), "-cp", System.getProperty("java.class.path"),
                FakeService.class.getName()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return service.toHandle();
    }

    private int serve(int status) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/ready", exchange -> {
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    @Test
    void readyWhenTheEndpointAnswers200() throws IOException {
        int port = serve(200);

        assertThat(Readiness.isReady(port)).isTrue();
        assertThat(Readiness.await(runningService(), port, Instant.now().plusSeconds(5)))
                .isEqualTo(Readiness.Outcome.READY);
    }

    @Test
    void notReadyWhileItAnswers503AndTimesOutAtTheDeadline() throws IOException {
        int port = serve(503);

        assertThat(Readiness.isReady(port)).isFalse();
        assertThat(Readiness.await(runningService(), port, Instant.now().plus(Duration.ofMillis(600))))
                .isEqualTo(Readiness.Outcome.TIMED_OUT);
    }

    @Test
    void aProcessThatExitedIsNoticed() throws Exception {
        Process gone = new ProcessBuilder(Executables.java(), "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(Readiness.await(gone.toHandle(), closedPort(), Instant.now().plusSeconds(30)))
                .isEqualTo(Readiness.Outcome.EXITED);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
