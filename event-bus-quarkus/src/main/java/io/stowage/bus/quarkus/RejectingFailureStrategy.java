package io.stowage.bus.quarkus;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.stowage.bus.EventPublisher;
import io.stowage.bus.Refusal;
import io.stowage.bus.Rejections;
import io.stowage.events.Envelope;
import io.stowage.events.data.EventRejected;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * The failure strategy of every incoming channel ({@code failure-strategy=stowage-reject}): a record refused
 * (not a valid event, or a valid one the service will not act on) is answered with {@code event.rejected.v1} on
 * {@code stowage.rejected}, saying why, and then acknowledged, so the consumer goes on. The rejection is published
 * before the offset may move past the record: while the broker cannot take it, it is retried.
 */
@ApplicationScoped
@Identifier(RejectingFailureStrategy.NAME)
public class RejectingFailureStrategy implements KafkaFailureHandler.Factory {
    public static final String NAME = "stowage-reject";
    private static final Logger LOG = Logger.getLogger(RejectingFailureStrategy.class);

    private final EventPublisher publisher;
    private final String source;

    @Inject
    RejectingFailureStrategy(EventPublisher publisher,
                             @ConfigProperty(name = "quarkus.application.name") String application) {
        this.publisher = publisher;
        this.source = "/stowage/" + application;
    }

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                      KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
        String consumerName = config.config().getOptionalValue("group.id", String.class).orElse(config.getChannel());
        return new KafkaFailureHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
                Envelope<EventRejected> rejection = rejection(record, reason, consumerName);
                EventRejected r = rejection.data();
                LOG.warnf("[%s] rejected %s-%d@%d (%s): %s", rejection.correlationId(), r.topic(), r.partition(),
                        r.offset(), r.type() == null ? "no type" : r.type(), r.reason());
                return Uni.createFrom().deferred(() -> Uni.createFrom().completionStage(publisher.publish(rejection)))
                        .onFailure().invoke(e -> LOG.warnf("could not publish the rejection of %s-%d@%d yet: %s",
                                r.topic(), r.partition(), r.offset(), e.getMessage()))
                        .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(30)).indefinitely()
                        .chain(() -> Uni.createFrom().completionStage(record.ack()));
            }
        };
    }

    @SuppressWarnings("unchecked")
    private Envelope<EventRejected> rejection(IncomingKafkaRecord<?, ?> incoming, Throwable reason, String consumer) {
        ConsumerRecord<String, byte[]> record = (ConsumerRecord<String, byte[]>) incoming
                .getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow().getRecord();
        if (reason instanceof Refusal refusal) {
            return Rejections.of(record, refusal.type(), refusal.id(), refusal.getMessage(), consumer, source);
        }
        // A bug or an unexpected state: the record is answered all the same, so the sender is not left waiting.
        LOG.errorf(reason, "%s-%d@%d could not be handled", record.topic(), record.partition(), record.offset());
        return Rejections.of(record, header(record, "ce_type"), header(record, "ce_id"),
                "could not be handled: " + reason.getClass().getSimpleName() + ": " + reason.getMessage(), consumer,
                source);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
