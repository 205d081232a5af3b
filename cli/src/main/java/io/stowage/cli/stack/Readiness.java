package io.stowage.cli.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A service's readiness, as its SmallRye Health endpoint {@code /q/health/ready} reports it. */
public final class Readiness {
    /** How long one wait for the process to exit lasts between two health checks. */
    private static final Duration PAUSE = Duration.ofMillis(250);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** How a wait for readiness ended. */
    public enum Outcome { READY, EXITED, TIMED_OUT }

    private Readiness() {
    }

    public static URI endpoint(int port) {
        return URI.create("http://127.0.0.1:" + port + "/q/health/ready");
    }

    /** One check: does the endpoint answer 200 now? */
    public static boolean isReady(int port) {
        HttpRequest request = HttpRequest.newBuilder(endpoint(port)).timeout(Duration.ofSeconds(1)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notListening) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Checks until the service is ready, its process exits, or the deadline passes. */
    public static Outcome await(ProcessHandle process, int port, Instant deadline) {
        while (true) {
            if (isReady(port)) {
                return Outcome.READY;
            }
            if (!process.isAlive()) {
                return Outcome.EXITED;
            }
            if (Instant.now().isAfter(deadline)) {
                return Outcome.TIMED_OUT;
            }
            // Waiting on the process's exit is the pause: a service that dies is noticed at once.
            try {
                process.onExit().get(PAUSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // the usual case: check the endpoint again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Outcome.TIMED_OUT;
            } catch (ExecutionException e) {
                return Outcome.EXITED;
            }
        }
    }
}
