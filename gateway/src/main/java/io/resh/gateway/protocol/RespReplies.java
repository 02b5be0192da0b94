package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;

/** Measures RESP2/RESP3 replies without recursion, so a hostile nesting depth costs nothing. */
final class RespReplies {
    private RespReplies() {
    }

    /**
     * Length of the complete reply starting at {@code start}, or -1 if more bytes are needed.
     *
     * @throws FrameException on an unknown type byte, a bad length or a reply over {@code max} bytes
     */
    static int length(ByteBuf in, int start, int max) {
        int end = in.writerIndex();
        int pos = start;
        long remaining = 1;
        while (remaining > 0) {
            if (pos >= end) {
                return -1;
            }
            byte type = in.getByte(pos);
            int eol = Frames.lineEnd(in, pos + 1);
            if (eol < 0) {
                if (end - start > max) {
                    throw Frames.tooLarge("reply", end - start, max);
                }
                return -1;
            }
            if (in.getByte(eol - 1) != '\r') {
                throw new FrameException("reply line at offset " + (pos - start) + " not terminated by CRLF");
            }
            switch (type) {
                case '+', '-', ':', ',', '(', '#', '_' -> {
                    pos = eol + 1;
                    remaining--;
                }
                case '$', '=', '!' -> {
                    long len = Frames.decimal(in, pos + 1, eol - 1, "bulk length in reply");
                    pos = eol + 1;
                    remaining--;
                    if (len == -1 && type == '$') {
                        break;
                    }
                    if (len < 0) {
                        throw new FrameException("invalid bulk length " + len + " in reply");
                    }
                    if (len > Integer.MAX_VALUE) { // over any limit, and pos + len + 2 would overflow near Long.MAX_VALUE
                        throw Frames.tooLarge("reply", len, max);
                    }
                    long next = (long) pos + len + 2;
                    if (next - start > max) {
                        throw Frames.tooLarge("reply", next - start, max);
                    }
                    if (next > end) {
                        return -1;
                    }
                    if (in.getByte((int) next - 2) != '\r' || in.getByte((int) next - 1) != '\n') {
                        throw new FrameException("bulk string of " + len + " bytes in reply not followed by CRLF");
                    }
                    pos = (int) next;
                }
                case '*', '~', '>', '%', '|' -> {
                    long n = Frames.decimal(in, pos + 1, eol - 1, "aggregate length in reply");
                    pos = eol + 1;
                    if (n > max) { // checked alone first: 2 * n and remaining + n overflow for n near Long.MAX_VALUE
                        throw Frames.tooLarge("reply", n, max);
                    }
                    if (type != '|') {
                        remaining--; // an attribute precedes the reply it annotates
                    }
                    if (n > 0) {
                        remaining += (type == '%' || type == '|') ? 2 * n : n;
                    } else if (n < -1) {
                        throw new FrameException("invalid aggregate length " + n + " in reply");
                    }
                    if (remaining * 3 > max) {
                        throw Frames.tooLarge("reply", remaining * 3, max);
                    }
                }
                default -> throw new FrameException("unexpected RESP type byte '" + Frames.printable(in, pos, pos + 1)
                        + "' at offset " + (pos - start) + " of reply");
            }
            if (pos - start > max) {
                throw Frames.tooLarge("reply", pos - start, max);
            }
        }
        return pos - start;
    }
}
