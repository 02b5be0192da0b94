package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Newline-delimited text: every request is one line ending in {@code \n}, answered by one line. The
 * gateway knows nothing about the commands, so every request is logged for replay.
 */
public final class LineProtocol implements Protocol {

    @Override
    public String name() {
        return "line";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        int length = lineLength(in, maxFrameBytes, "request line");
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        int nameEnd = 0;
        while (nameEnd < Math.min(bytes.length, 32) && bytes[nameEnd] > ' ') {
            nameEnd++;
        }
        return Request.of(bytes, new String(bytes, 0, nameEnd, StandardCharsets.ISO_8859_1), false, 0);
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        return lineLength(in, maxReplyBytes, "reply line");
    }

    private static int lineLength(ByteBuf in, int max, String what) {
        int eol = Frames.lineEnd(in, in.readerIndex());
        if (eol < 0) {
            if (in.readableBytes() > max) {
                throw Frames.tooLarge(what, in.readableBytes(), max);
            }
            return -1;
        }
        int length = eol + 1 - in.readerIndex();
        if (length > max) {
            throw Frames.tooLarge(what, length, max);
        }
        return length;
    }

    @Override
    public boolean verbatim(Request request) {
        return true;
    }

    @Override
    public byte[] errorReply(String message) {
        return ("ERROR resh: " + Frames.oneLine(message) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
