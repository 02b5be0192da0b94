package io.resh.campaign;

import io.resh.replica.ReplicatedService;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The service a campaign runs: which classes the replicas run, which class the golden run uses, what
 * requests the client sends, and how to tell whether the group's state equals the golden state.
 *
 * <p>Requests must not depend on anything the golden run can't know: a request whose reply carries the
 * host's clock (KV {@code MTIME}, {@code TOUCH}) would differ from the golden run on every replica.
 */
interface Workload {

    /** Short name: {@code aes}, {@code kv}. */
    String name();

    /** The service classes of a diverse group; slot i runs element i modulo the size. */
    List<String> versions();

    /** A fresh instance of the reference implementation, for the golden run. */
    ReplicatedService newGolden();

    /** The next request of a window, drawn from {@code random}. */
    byte[] nextRequest(SplittableRandom random);

    /**
     * Whether the state in {@code snapshot} (the group's voted snapshot) is the state {@code golden}
     * holds. Fields the golden run can't know (host timestamps) are left out of the comparison.
     */
    boolean sameState(byte[] snapshot, ReplicatedService golden);
}
