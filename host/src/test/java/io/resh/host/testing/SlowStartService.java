package io.resh.host.testing;

/**
 * A {@link CounterService} whose construction takes a minute: its replica says hello only then, so a group
 * of it stays in {@code ReplicaGroup.start} for as long as a test needs.
 */
public final class SlowStartService extends ForwardingService {
    public SlowStartService() throws InterruptedException {
        super(new CounterService());
        Thread.sleep(60_000); // in the replica process: stands for a service that loads a large state at start
    }
}
