package io.resh.cli;

import io.resh.examples.kv.KvStore;
import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import sun.misc.Signal;

/**
 * The key-value store, in a replica that says in its log when a terminal's signal reaches it, then dies of it
 * as a JVM does by default (status 128 + signal). A replica that resh stopped itself never says it.
 */
public final class SignalWitness implements ReplicatedService {
    static final String SAYS = "resh test replica: got SIG";
    private final KvStore store = new KvStore();

    public SignalWitness() {
        for (String name : new String[] {"INT", "HUP"}) { // the JVM keeps SIGQUIT (thread dumps) to itself
            Signal.handle(new Signal(name), s -> {
                System.err.println(SAYS + s.getName());
                System.err.flush();
                Runtime.getRuntime().halt(128 + s.getNumber());
            });
        }
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        return store.execute(request, ctx);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        store.snapshot(out);
    }

    @Override
    public void restore(InputStream in) throws IOException {
        store.restore(in);
    }
}
