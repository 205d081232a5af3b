package io.stowage.cli.bus;

import io.stowage.bus.BusReader;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/**
 * Which records a person asked to see: one cluster (the record key, which is the cluster id), and types whose
 * name contains a substring. Invalid records match the type {@code invalid} as well as their ce_type.
 *
 * @param cluster   null for every cluster
 * @param typePart  null for every type
 */
public record EventFilter(String cluster, String typePart) {
    public static final EventFilter ALL = new EventFilter(null, null);

    public boolean matches(BusReader.Read read) {
        return matchesCluster(read) && matchesType(read);
    }

    private boolean matchesCluster(BusReader.Read read) {
        if (cluster == null) {
            return true;
        }
        if (cluster.equals(read.record().key())) {
            return true;
        }
        return read.valid() && (cluster.equals(read.event().subject()) || cluster.equals(read.event().data().cluster()));
    }

    private boolean matchesType(BusReader.Read read) {
        if (typePart == null) {
            return true;
        }
        String type = read.valid() ? read.event().type().type() : typeHeader(read) + " invalid";
        return type.contains(typePart);
    }

    static String typeHeader(BusReader.Read read) {
        Header h = read.record().headers().lastHeader("ce_type");
        return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }
}
