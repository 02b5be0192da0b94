package io.resh.cli.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft library's log level while a benchmark's cluster is torn down. Stopping the hosts one after another
 * made each remaining peer warn, with stack traces, that the others went away (about a hundred lines after
 * the results); during the measurement its warnings stay on, since they say why a run was slow.
 */
final class RaftLogging {
    private static final String RAFT = "org.apache.ratis";
    private static Level before;
    private static boolean quieted;

    private RaftLogging() {
    }

    /** Only errors from the Raft library until {@link #restore()}. */
    static synchronized void quiet() {
        if (LoggerFactory.getLogger(RAFT) instanceof Logger raft) {
            before = raft.getLevel();
            raft.setLevel(Level.ERROR);
            quieted = true;
        }
    }

    /** The level it had before {@link #quiet()}; nothing if it was not quieted. */
    static synchronized void restore() {
        if (quieted && LoggerFactory.getLogger(RAFT) instanceof Logger raft) {
            raft.setLevel(before);
            quieted = false;
        }
    }
}
