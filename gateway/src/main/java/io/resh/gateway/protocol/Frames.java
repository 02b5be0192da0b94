package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Byte-level scanning shared by the text protocols. All methods look, none consume. */
final class Frames {
    private Frames() {
    }

    /**
     * Index of the {@code '\n'} ending the line that starts at {@code from}, or -1 if there is none
     * before {@code in.writerIndex()}.
     */
    static int lineEnd(ByteBuf in, int from) {
        if (from >= in.writerIndex()) {
            return -1;
        }
        return in.indexOf(from, in.writerIndex(), (byte) '\n');
    }

    /** The bytes {@code [from, to)} as ISO-8859-1 text (one char per byte, so nothing is lost). */
    static String latin1(ByteBuf in, int from, int to) {
        return in.toString(from, to - from, StandardCharsets.ISO_8859_1);
    }

    /** Parses a signed decimal in {@code [from, to)}; {@code what} names it in the error. */
    static long decimal(ByteBuf in, int from, int to, String what) {
        if (from >= to || to - from > 19) {
            throw new FrameException("invalid " + what + " '" + printable(in, from, to) + "'");
        }
        boolean negative = in.getByte(from) == '-';
        int i = negative ? from + 1 : from;
        if (i >= to) {
            throw new FrameException("invalid " + what + " '" + printable(in, from, to) + "'");
        }
        long v = 0;
        for (; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9' || v > (Long.MAX_VALUE - (b - '0')) / 10) { // 19 digits can overflow a long
                throw new FrameException("invalid " + what + " '" + printable(in, from, to) + "'");
            }
            v = v * 10 + (b - '0');
        }
        return negative ? -v : v;
    }

    /** Up to 40 bytes of {@code [from, to)} with non-printable bytes as {@code \xNN}, for error messages. */
    static String printable(ByteBuf in, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int end = Math.min(to, from + 40);
        for (int i = from; i < end; i++) {
            int b = in.getByte(i) & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (end < to) {
            sb.append("...");
        }
        return sb.toString();
    }

    static FrameException tooLarge(String what, long size, int limit) {
        return new FrameException(what + " of " + size + " bytes exceeds the limit of " + limit + " bytes" + setting(what));
    }

    /**
     * The setting that sets the limit on {@code what}, as " (maxFrameBytes)": "exceeds the limit of 1048576 bytes"
     * alone did not say what to raise, where the frameTimeout message does. Empty for memcached's command line, whose
     * limit is the protocol's own line length.
     */
    static String setting(String what) {
        if (what.equals("command line")) {
            return "";
        }
        return what.contains("reply") || what.equals("response") ? " (maxReplyBytes)" : " (maxFrameBytes)";
    }

    /** One line of text safe to embed in a protocol's one-line error. */
    static String oneLine(String message) {
        return message.replace('\r', ' ').replace('\n', ' ');
    }
}
