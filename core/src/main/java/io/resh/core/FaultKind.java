package io.resh.core;

/** What the host saw a replica do wrong. Every detected fault is one of these. */
public enum FaultKind {
    /** The replica process exited (or was killed) while it was part of the group. */
    CRASH,
    /** No reply within the request deadline and no heartbeat: stopped, deadlocked or looping. */
    HANG,
    /** The replica's reply differs from the voted one. */
    DIVERGENCE,
    /** The replica's state digest at a checkpoint differs from the stable one: latent corruption. */
    STATE_DIVERGENCE,
    /** The replica wrote a malformed, oversized or unexpected frame on its IPC channel. */
    PROTOCOL,
    /** The replica did something its contract forbids (e.g. a write outside its sandbox). */
    CONTRACT_VIOLATION,
    /** The replica process could not be started or did not become ready. */
    START_FAILURE;

    /** Lower-case name used in events, metrics and the CLI. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
