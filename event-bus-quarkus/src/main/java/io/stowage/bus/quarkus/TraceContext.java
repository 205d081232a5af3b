package io.stowage.bus.quarkus;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Headers;

/**
 * Carries the trace context across Kafka in the CloudEvents way: the {@code traceparent} extension, i.e. the
 * {@code ce_traceparent} header in binary mode (and {@code ce_tracestate}).
 */
@ApplicationScoped
public class TraceContext {

    /** Writes the current trace context into an outgoing record's headers. */
    public void inject(Headers headers) {
        // OpenTelemetry comes with the tracing step; until then nothing is propagated.
    }
}
