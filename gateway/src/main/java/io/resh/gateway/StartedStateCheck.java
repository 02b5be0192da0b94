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

    @Override
    public void check(ServerProcess ready) throws IOException {
        CheckpointStore.Stored from = ready.checkpoint();
        if (from == null || from.digest() == null) {
            return;
        }
        byte[] reply = ask(ready.port());
        if (!Arrays.equals(canonicalizer.apply(digest, reply), from.digest())) {
            throw new IOException("its state after loading the checkpoint at request #" + from.sequence()
                    + " is not the one " + agreement + " replicas agreed on: " + digest.name() + " answered '"
                    + printable(reply) + "', expected '" + printable(from.digest()) + "'");
        }
    }

    private byte[] ask(int port) throws IOException {
        try (Socket s = new Socket()) {
            int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
            s.connect(new InetSocketAddress("127.0.0.1", port), millis);
            s.setSoTimeout(millis);
            s.getOutputStream().write(digest.bytes());
            s.getOutputStream().flush();
            ByteBuf in = Unpooled.buffer();
            try {
                InputStream from = s.getInputStream();
                byte[] chunk = new byte[8192];
                while (true) {
                    int length = protocol.replyLength(in, digest, maxReplyBytes);
                    if (length >= 0) {
                        byte[] reply = new byte[length];
                        in.readBytes(reply);
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
            } finally {
                in.release();
            }
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
