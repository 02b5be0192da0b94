package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A stateless service that answers in place: the reply is a marker byte, 1 when the request came as a view of
 * shared memory and the reply buffer was lent from it (both direct, not arrays), else 0, then the request's
 * bytes in reverse order.
 */
public final class InPlaceService implements ReplicatedService {
    @Override
    public ByteBuffer execute(ByteBuffer request, ExecutionContext ctx) {
        int n = request.remaining();
        ByteBuffer reply = ctx.replyBuffer(n + 1);
        reply.put((byte) (!request.hasArray() && reply.isDirect() ? 1 : 0));
        for (int i = request.limit() - 1; i >= request.position(); i--) {
            reply.put(request.get(i));
        }
        return reply.flip();
    }

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        ByteBuffer reply = execute(ByteBuffer.wrap(request), ctx);
        return reply.array();
    }

    /** What this service answers to {@code request}, given whether it came through the shared file. */
    public static byte[] expected(byte[] request, boolean inPlace) {
        byte[] reply = new byte[request.length + 1];
        reply[0] = (byte) (inPlace ? 1 : 0);
        for (int i = 0; i < request.length; i++) {
            reply[reply.length - 1 - i] = request[i];
        }
        return reply;
    }

    @Override
    public void snapshot(OutputStream out) {
        // no state
    }

    @Override
    public void restore(InputStream in) {
        // no state
    }
}
