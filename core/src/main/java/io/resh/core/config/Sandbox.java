package io.resh.core.config;

/** How replica processes are isolated beyond being separate OS processes. */
public enum Sandbox {
    /** Plain OS processes. */
    NONE,
    /** Each replica under bubblewrap: no network, read-only root, private /tmp and work directory. */
    BWRAP
}
