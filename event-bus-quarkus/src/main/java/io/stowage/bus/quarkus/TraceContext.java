package io.stowage.bus.quarkus;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.stowage.events.CloudEventCodec;
import io.stowage.events.Envelope;
import io.stowage.events.data.StowageEvent;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.MDC;

import java.nio.charset.StandardCharsets;

import java.util.function.Supplier;

/**
 * Traces across Kafka the CloudEvents way: an event carries the W3C trace context of the work that made it as its
 * {@code traceparent} extension ({@code ce_traceparent} in binary mode). Handling an event runs in a consumer span
 * whose parent is the event's context, with the event's correlation id in the log MDC; what it publishes is
 * stamped with that span; an event caused by another without a span current inherits its cause's context. So one
 * trace holds a request, the fan-out it causes and their outcomes.
 */
@ApplicationScoped
public class TraceContext {
    /** The MDC key every log line of a handled request carries. */
    public static final String CORRELATION_ID = "correlationId";

    private final Tracer tracer;

    TraceContext(OpenTelemetry openTelemetry) {
        this.tracer = openTelemetry.getTracer("io.stowage");
    }

    /** The event in the current span's trace context; as it came (inherited, or none) when no span is current. */
    public <T extends StowageEvent> Envelope<T> stamp(Envelope<T> event) {
        SpanContext current = Span.current().getSpanContext();
        return current.isValid() ? event.withTraceparent(traceparent(current)) : event;
    }

    /**
     * A record that carries an event (a compacted state record, e.g. a topology record, made from an envelope) in the
     * current span's trace context; other records as they are.
     */
    public ProducerRecord<String, byte[]> stamp(ProducerRecord<String, byte[]> record) {
        SpanContext current = Span.current().getSpanContext();
        if (!current.isValid() || record.value() == null || record.headers().lastHeader(CloudEventCodec.H_ID) == null) {
            return record;
        }
        record.headers().remove(CloudEventCodec.H_TRACEPARENT);
        record.headers().add(CloudEventCodec.H_TRACEPARENT, traceparent(current).getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Runs the handling of {@code event} in a consumer span, child of the event's trace, its correlation in MDC. */
    public void handle(Envelope<?> event, String what, Runnable work) {
        Span span = tracer.spanBuilder(what + " " + event.type().type()).setSpanKind(SpanKind.CONSUMER)
                .setParent(parent(event.traceparent()))
                .setAttribute("cloudevents.event_id", event.id())
                .setAttribute("cloudevents.event_type", event.type().type())
                .setAttribute("cloudevents.event_subject", event.subject())
                .setAttribute("stowage.correlation_id", event.correlationId())
                .startSpan();
        Object previous = MDC.get(CORRELATION_ID);
        MDC.put(CORRELATION_ID, event.correlationId());
        try (Scope ignored = span.makeCurrent()) {
            work.run();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
            if (previous == null) {
                MDC.remove(CORRELATION_ID);
            } else {
                MDC.put(CORRELATION_ID, previous);
            }
        }
    }

    /** Runs work that starts a trace of its own (a fan-out nobody asked for on the bus) in a producer span. */
    public <R> R produce(String what, Supplier<R> work) {
        if (Span.current().getSpanContext().isValid()) {
            return work.get();
        }
        Span span = tracer.spanBuilder(what).setSpanKind(SpanKind.PRODUCER).setNoParent().startSpan();
        try (Scope ignored = span.makeCurrent()) {
            return work.get();
        } catch (RuntimeException | Error e) {
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }

    private static Context parent(String traceparent) {
        if (!Envelope.isTraceparent(traceparent)) {
            return Context.root();
        }
        String[] parts = traceparent.split("-");
        SpanContext remote = SpanContext.createFromRemoteParent(parts[1], parts[2],
                TraceFlags.fromHex(parts[3], 0), TraceState.getDefault());
        return remote.isValid() ? Context.root().with(Span.wrap(remote)) : Context.root();
    }

    static String traceparent(SpanContext context) {
        return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }
}
