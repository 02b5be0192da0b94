package io.resh.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The faults resh can inject into a live replica, each a real fault in a real process. The host
 * delivers signals itself; the others are carried out by the replica runtime inside the replica.
 */
public enum InjectedFault {
    /** SIGKILL the replica process. */
    CRASH(false),
    /** SIGSTOP the replica process (SIGCONT later, or never). */
    HANG(false),
    /** Delay the next reply by {@code arg} milliseconds. */
    SLOW(true),
    /** Flip bit {@code arg} (modulo the reply's length in bits) of the next reply, after the service computed it. */
    REPLY_CORRUPTION(true),
    /** Flip one random bit (seeded by {@code arg}) in the service's live object graph. */
    STATE_CORRUPTION(true),
    /** Answer the next request with a plausible but wrong reply: a well-formed value of another request. */
    BYZANTINE(true),
    /** Write malformed bytes (seeded by {@code arg}) on the IPC channel. */
    IPC_GARBAGE(true);

    private final boolean insideReplica;

    InjectedFault(boolean insideReplica) {
        this.insideReplica = insideReplica;
    }

    /** True when the replica runtime carries the fault out (sent as an IPC frame); false for signals. */
    public boolean insideReplica() {
        return insideReplica;
    }

    /** The CLI and API name: {@code reply-corruption}, {@code crash}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a label (or enum name); the error lists the valid ones. */
    public static InjectedFault parse(String text) {
        String norm = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (InjectedFault f : values()) {
            if (f.name().equals(norm)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + text + "'; expected one of "
                + Arrays.stream(values()).map(InjectedFault::label).collect(Collectors.joining(", ")));
    }
}
