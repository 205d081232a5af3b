package io.stowage.cli.stack;

import java.util.concurrent.CountDownLatch;

/** Stands in for a service's runnable jar: a JVM that runs until it is stopped, and serves nothing. */
public final class FakeService {
    private FakeService() {
    }

    public static void main(String[] args) throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
