package io.resh.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resh.gateway.protocol.FrameException;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;

/** The requests a checkpoint sends, written in the config as one line of the listen protocol ({@code SAVE}). */
final class CheckpointRequests {
    private CheckpointRequests() {
    }

    /**
     * The request {@code line} stands for, as a client typing it would send it. Marked read-only: it is never
     * logged for replay (a replacement gets the saved state instead).
     *
     * @throws IllegalArgumentException saying why the line is not one request of {@code protocol}
     */
    static Request decode(Protocol protocol, String line) {
        ByteBuf in = Unpooled.wrappedBuffer((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        Object decoded;
        try {
            decoded = protocol.decodeRequest(in, 64 * 1024);
        } catch (FrameException e) {
            throw new IllegalArgumentException("'" + line + "' is not a " + protocol.name() + " request: " + e.getMessage());
        }
        if (in.isReadable() || decoded == null) {
            throw new IllegalArgumentException("'" + line + "' is not one complete " + protocol.name()
                    + " request; write it as a client would type it, e.g. SAVE");
        }
        if (decoded instanceof Request r) {
            return new Request(r.bytes(), r.name(), true, r.shape(), false, false);
        }
        // Answered by the gateway itself when a client sends it (e.g. Redis's DEBUG, refused to clients): the
        // gateway may still send it, as the inline command a server reads like a typed one.
        String name = line.strip().split("\\s+")[0].toUpperCase(java.util.Locale.ROOT);
        return new Request((line.strip() + "\r\n").getBytes(StandardCharsets.UTF_8), name, true, 0, false, false);
    }
}
