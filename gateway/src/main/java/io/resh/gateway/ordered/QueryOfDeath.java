package io.resh.gateway.ordered;

/**
 * Tells a "query of death" from independent faults: when f+1 replicas fail at the same request, by
 * crashing on it or by breaking the protocol there, the request did it, and replaying it into their
 * replacements would fail those too. Independent faults rarely coincide on one request, so only the
 * latest request is tracked: a failure at another one starts the count anew.
 *
 * <p>Fed only from the fault path, never per request.
 */
final class QueryOfDeath {
    private final int needed;
    private long seq = -1;
    /** Replicas (slot bits) that crashed at {@link #seq}, and those that broke the protocol there. */
    private int crashed;
    private int broke;

    /** @param needed how many replicas failing at one request make it the request's doing (f+1) */
    QueryOfDeath(int needed) {
        this.needed = needed;
    }

    /**
     * Replica {@code slot} crashed at request {@code seq} (died while it was the oldest request it had
     * not answered), or broke the protocol there. True once {@code needed} distinct replicas did.
     */
    boolean failed(long seq, int slot, boolean crash) {
        if (seq != this.seq) {
            this.seq = seq;
            crashed = 0;
            broke = 0;
        }
        int bit = 1 << slot;
        if (crash) {
            crashed |= bit;
        } else {
            broke |= bit;
        }
        return replicas() >= needed;
    }

    /** How many distinct replicas failed at the current request. */
    int replicas() {
        return Integer.bitCount(crashed | broke);
    }

    /**
     * Why the group stops, e.g. {@code 2 replicas crashed at request #7 (EXIT) before any answered it
     * (process 12 exited with code 3): ...}.
     *
     * @param name the request's name, or null if it is no longer known
     * @param evidence the last fault's evidence
     */
    String reason(String name, String evidence) {
        String what;
        String consequence;
        if (broke == 0) {
            what = "crashed";
            consequence = "crash";
        } else if (crashed == 0) {
            what = "broke the protocol";
            consequence = "break";
        } else {
            what = "crashed or broke the protocol";
            consequence = "fail";
        }
        return replicas() + " replicas " + what + " at request #" + seq + (name == null ? "" : " (" + name + ")")
                + (broke == 0 ? " before any answered it" : "") + " (" + evidence + "): the request's doing, not"
                + " theirs; replaying it into replacements would " + consequence + " them too";
    }
}
