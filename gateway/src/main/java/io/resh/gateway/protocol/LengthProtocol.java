package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Length-prefixed binary frames: a 4-byte big-endian unsigned length, then that many payload bytes;
 * each request is answered by one such frame. Every request is logged for replay. The gateway's own
 * error replies are frames whose payload is {@code ERROR resh: <message>} in UTF-8.
 */
public final class LengthProtocol implements Protocol {
    private static final int HEADER = 4;

    @Override
    public String name() {
        return "length";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        int length = frameLength(in, maxFrameBytes, "request");
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return Request.of(bytes, "frame", false, 0);
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        return frameLength(in, maxReplyBytes, "reply");
    }

    private static int frameLength(ByteBuf in, int max, String what) {
        if (in.readableBytes() < HEADER) {
            return -1;
        }
        long payload = in.getUnsignedInt(in.readerIndex());
        long total = payload + HEADER;
        if (total > max) {
            throw Frames.tooLarge(what, total, max);
        }
        return in.readableBytes() < total ? -1 : (int) total;
    }

    @Override
    public boolean verbatim(Request request) {
        return true;
    }

    @Override
    public byte[] errorReply(String message) {
        byte[] text = ("ERROR resh: " + Frames.oneLine(message)).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[HEADER + text.length];
        out[0] = (byte) (text.length >>> 24);
        out[1] = (byte) (text.length >>> 16);
        out[2] = (byte) (text.length >>> 8);
        out[3] = (byte) text.length;
        System.arraycopy(text, 0, out, HEADER, text.length);
        return out;
    }
}
