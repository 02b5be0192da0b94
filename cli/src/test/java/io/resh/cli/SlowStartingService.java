package io.resh.cli;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;

/** A service whose replicas take a minute to come up: a group of it is still starting when a test stops resh. */
public final class SlowStartingService implements ReplicatedService {
    public SlowStartingService() throws InterruptedException {
        TimeUnit.SECONDS.sleep(60); // the slow start under test, in the replica process, not a wait of the test's
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        return request;
    }

    @Override
    public void snapshot(OutputStream out) {
    }

    @Override
    public void restore(InputStream in) {
    }
}
