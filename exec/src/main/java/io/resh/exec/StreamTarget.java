package io.resh.exec;

/** Receives one output stream (stdout or stderr) of every replica, chunk by chunk. */
interface StreamTarget {

    /**
     * Takes {@code len} bytes of {@code buf} that {@code replica} wrote. May block to hold back a
     * replica that runs too far ahead. The buffer is reused by the caller after this returns.
     */
    void append(int replica, byte[] buf, int len) throws InterruptedException;

    /** The replica closed the stream. */
    void end(int replica);

    /** The replica is out (timed out, failed to start): its stream no longer counts. */
    void exclude(int replica);
}
