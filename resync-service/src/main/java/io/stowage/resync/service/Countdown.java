package io.stowage.resync.service;

import java.util.concurrent.atomic.AtomicInteger;

/** What runs once every part of an event's effect has ended: the record's acknowledgement, typically. */
public final class Countdown {
    private Countdown() {
    }

    /** A callback to call once per part; the {@code parts}-th call runs {@code then}. */
    public static Runnable after(int parts, Runnable then) {
        AtomicInteger left = new AtomicInteger(parts);
        return () -> {
            if (left.decrementAndGet() == 0) {
                then.run();
            }
        };
    }
}
