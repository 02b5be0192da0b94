package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import java.nio.charset.StandardCharsets;

/**
 * A second version of {@link CounterService} with a deterministic crash bug: the request {@code boom}
 * kills its process. Replaying the log after a restart hits the same request again, so a slot running
 * this version crash-loops until the version is quarantined. {@code boom1} kills only replica 1 (a bug
 * that depends on the replica's environment).
 */
public final class FragileCounterService extends ForwardingService {
    public FragileCounterService() {
        super(new CounterService());
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) throws Exception {
        String r = new String(request, StandardCharsets.UTF_8);
        if (r.equals("boom") || (r.equals("boom1") && ctx.replicaIndex() == 1)) {
            System.err.println("fragile version: request #" + ctx.sequence() + " is 'boom'; exiting");
            Runtime.getRuntime().halt(70);
        }
        return super.execute(request, ctx);
    }
}
