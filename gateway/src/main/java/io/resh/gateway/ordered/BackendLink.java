package io.resh.gateway.ordered;

/** The multiplexer's view of its connection to one replica. */
public interface BackendLink {

    /** The replica slot this link reaches. */
    int slot();

    /** False while the connection's outbound buffer is above its high-water mark. */
    boolean isWritable();

    /** Queues bytes for the replica (not flushed). */
    void write(byte[] bytes);

    void flush();

    /** Closes the connection; replies still in flight are dropped. */
    void close();
}
