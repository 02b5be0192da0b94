package io.resh.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resh.gateway.ordered.Canonicalizer;
import io.resh.gateway.protocol.FrameException;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import io.resh.gateway.server.CheckpointStore;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * Asks a server started from a checkpoint for its digest before it joins, on a connection of its own: a server that
 * did not load the saved state (it read another file, a client had the file rewritten before it was copied) must not
 * be replayed the log on top of the wrong state, where it would only diverge later, at some read.
 */
final class StartedStateCheck implements ServerGroup.StartCheck {
    private final Request digest;
    private final Protocol protocol;
    private final Canonicalizer canonicalizer;
    private final int maxReplyBytes;
    private final Duration timeout;
    private final int agreement;

    StartedStateCheck(Request digest, Protocol protocol, Canonicalizer canonicalizer, int maxReplyBytes, Duration timeout,
                      int agreement) {
        this.digest = digest;
        this.protocol = protocol;
        this.canonicalizer = canonicalizer;
        this.maxReplyBytes = maxReplyBytes;
        this.timeout = timeout;
        this.agreement = agreement;
    }

    /**
     * Asks until the server's digest is the checkpoint's, for at most the start timeout: a server that accepts
     * connections while it still loads its saved state (Redis does, and answers {@code DEBUG DIGEST} for what it has
     * loaded so far) is not ready for the log's tail until then.
     */
    @Override
    public void check(ServerProcess ready) throws IOException {
        CheckpointStore.Stored from = ready.checkpoint();
        if (from == null) {
            return; // started empty: the whole log is replayed into it
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ready.port()), millis);
            s.setSoTimeout(millis);
            ByteBuf in = Unpooled.buffer();
            try {
                while (true) {
                    byte[] reply = ask(s, in, millis);
                    if (Arrays.equals(canonicalizer.apply(digest, reply), from.digest())) {
                        return;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("its state after loading the checkpoint at request #" + from.sequence()
                                + " is not the one " + agreement + " replicas agreed on: " + digest.name() + " answered '"
                                + printable(reply) + "', expected '" + printable(from.digest()) + "' (asked for "
                                + millis + " ms, server.readyTimeout)");
                    }
                    Thread.sleep(POLL_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while asking its digest");
            } finally {
                in.release();
            }
        }
    }

    /** How long to wait between two digests of a server still loading its state. */
    private static final long POLL_MILLIS = 20;

    private byte[] ask(Socket s, ByteBuf in, int millis) throws IOException {
        s.getOutputStream().write(digest.bytes());
        s.getOutputStream().flush();
        InputStream from = s.getInputStream();
        byte[] chunk = new byte[8192];
        try {
            while (true) {
                int length = protocol.replyLength(in, digest, maxReplyBytes);
                if (length >= 0) {
                    byte[] reply = new byte[length];
                    in.readBytes(reply);
                    in.discardReadBytes();
                    return reply;
                }
                int n = from.read(chunk);
                if (n < 0) {
                    throw new IOException("it closed the connection before answering " + digest.name()
                            + " (checkpoint.digest)");
                }
                in.writeBytes(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("it did not answer " + digest.name() + " (checkpoint.digest) within " + millis + " ms");
        } catch (FrameException e) {
            throw new IOException("its answer to " + digest.name() + " (checkpoint.digest) is malformed: " + e.getMessage());
        }
    }

    private static String printable(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            sb.append(c == '\r' ? "\\r" : c == '\n' ? "\\n" : c < 0x20 || c > 0x7e ? "?" : String.valueOf(c));
        }
        return sb + (bytes.length > 80 ? "…" : "");
    }
}
