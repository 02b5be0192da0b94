package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Unframed datagrams (UDP mode): each datagram is one request and each reply datagram one reply. The
 * datagram boundary is the frame, so the whole readable buffer is the frame. Every request is logged.
 */
public final class DatagramProtocol implements Protocol {

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        if (in.readableBytes() > maxFrameBytes) {
            throw Frames.tooLarge("datagram", in.readableBytes(), maxFrameBytes);
        }
        byte[] bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
        return Request.of(bytes, "datagram", false, 0);
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        if (in.readableBytes() > maxReplyBytes) {
            throw Frames.tooLarge("reply datagram", in.readableBytes(), maxReplyBytes);
        }
        return in.readableBytes();
    }

    @Override
    public byte[] errorReply(String message) {
        return ("ERROR resh: " + Frames.oneLine(message) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
