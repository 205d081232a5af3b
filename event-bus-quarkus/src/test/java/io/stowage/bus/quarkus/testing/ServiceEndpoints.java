package io.stowage.bus.quarkus.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** GETs of a service's own endpoints (health, metrics) in a wiring test. */
public final class ServiceEndpoints {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServiceEndpoints() {
    }

    /** The response's status and body. */
    public record Answer(int status, String body) {
    }

    public static Answer get(URL url) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
