package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Redis serialization protocol (RESP2 requests; RESP2 and RESP3 replies).
 *
 * <p>Requests are arrays of bulk strings, or inline commands ({@code PING\r\n}, as typed in telnet),
 * which are re-encoded as arrays. Commands that cannot be replicated through one shared ordered
 * connection get an {@code -ERR resh: ...} reply from the gateway ({@link RespCommands}); relative
 * expirations are stamped as absolute times ({@link RespExpiry}); {@code QUIT} is answered locally.
 */
public final class RespProtocol implements Protocol {
    private static final int MAX_HEADER = 24;
    private static final int MAX_ARGS = 1 << 20;
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    private final LongSupplier clockMillis;

    /** @param clockMillis wall clock used to stamp relative expirations */
    public RespProtocol(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public String name() {
        return "resp";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            RespCommand cmd;
            int length;
            if (in.getByte(start) == '*') {
                int[] len = new int[1];
                cmd = array(in, start, maxFrameBytes, len);
                if (cmd == null) {
                    return null;
                }
                length = len[0];
            } else {
                int eol = Frames.lineEnd(in, start);
                if (eol < 0) {
                    if (in.readableBytes() > maxFrameBytes) {
                        throw Frames.tooLarge("inline request", in.readableBytes(), maxFrameBytes);
                    }
                    return null;
                }
                length = eol + 1 - start;
                if (length > maxFrameBytes) {
                    throw Frames.tooLarge("inline request", length, maxFrameBytes);
                }
                int end = eol > start && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
                byte[] line = new byte[end - start];
                in.getBytes(start, line);
                cmd = RespCommand.of(InlineSplitter.split(line));
            }
            in.skipBytes(length);
            if (cmd.size() == 0) {
                continue; // Redis ignores empty requests too
            }
            return classify(cmd, in, start, length);
        }
        return null;
    }

    private Object classify(RespCommand cmd, ByteBuf in, int start, int length) {
        String name = cmd.name();
        if (name.equals("QUIT")) {
            return new LocalReply(OK, true);
        }
        String rejection = RespCommands.rejection(cmd);
        if (rejection != null) {
            return new LocalReply(errorReply("'" + Frames.oneLine(name) + "' is not supported through the replicating gateway: "
                    + rejection), false);
        }
        RespCommand stamped = RespExpiry.stamp(cmd, clockMillis);
        byte[] bytes;
        if (stamped == cmd && in.getByte(start) == '*') {
            bytes = cmd.data(); // framed from the request's own bytes (see array)
        } else {
            bytes = stamped.encode();
        }
        return Request.of(bytes, name, RespCommands.readOnly(cmd), RespCommands.shape(cmd));
    }

    /** Parses {@code *n\r\n} followed by n bulk strings, or returns null if incomplete. */
    private static RespCommand array(ByteBuf in, int start, int max, int[] lengthOut) {
        int eol = header(in, start, "multibulk length");
        if (eol < 0) {
            return null;
        }
        long n = Frames.decimal(in, start + 1, eol - 1, "multibulk length");
        if (n > MAX_ARGS || n * 4 > max) {
            throw new FrameException("Protocol error: invalid multibulk length " + n);
        }
        int pos = eol + 1;
        if (n <= 0) {
            lengthOut[0] = pos - start;
            return new RespCommand(new byte[0][]);
        }
        // Positions relative to start: the command's arguments become slices of the request's bytes. Sized by the
        // arguments read, not the count announced: "*250000" ahead of nothing cost 2 MB on every read of it.
        int[] from = new int[(int) Math.min(n, 16)];
        int[] len = new int[from.length];
        for (int i = 0; i < n; i++) {
            if (i == from.length) {
                from = java.util.Arrays.copyOf(from, (int) Math.min(n, 2L * i));
                len = java.util.Arrays.copyOf(len, from.length);
            }
            if (pos >= in.writerIndex()) {
                return null;
            }
            byte t = in.getByte(pos);
            if (t != '$') {
                throw new FrameException("Protocol error: expected '$', got '" + Frames.printable(in, pos, pos + 1) + "'");
            }
            int e = header(in, pos, "bulk length");
            if (e < 0) {
                return null;
            }
            long l = Frames.decimal(in, pos + 1, e - 1, "bulk length");
            if (l < 0) {
                throw new FrameException("Protocol error: invalid bulk length " + l);
            }
            if (l > Integer.MAX_VALUE) { // over any limit, and e + 1 + l + 2 would overflow near Long.MAX_VALUE
                throw Frames.tooLarge("request", l, max);
            }
            long end = (long) e + 1 + l + 2;
            if (end - start > max) {
                throw Frames.tooLarge("request", end - start, max);
            }
            if (end > in.writerIndex()) {
                return null;
            }
            if (in.getByte((int) end - 2) != '\r' || in.getByte((int) end - 1) != '\n') {
                throw new FrameException("Protocol error: bulk string of " + l + " bytes not followed by CRLF");
            }
            from[i] = e + 1 - start;
            len[i] = (int) l;
            pos = (int) end;
        }
        byte[] frame = new byte[pos - start];
        in.getBytes(start, frame);
        lengthOut[0] = frame.length;
        return new RespCommand(frame, from, len);
    }

    /** The index of the {@code \n} ending a {@code <type><digits>\r\n} header at {@code at}, or -1 if incomplete. */
    private static int header(ByteBuf in, int at, String what) {
        int limit = Math.min(in.writerIndex(), at + MAX_HEADER);
        int eol = in.indexOf(at + 1, limit, (byte) '\n');
        if (eol < 0) {
            if (limit - at >= MAX_HEADER) {
                throw new FrameException("Protocol error: invalid " + what + " '" + Frames.printable(in, at, limit) + "'");
            }
            return -1;
        }
        if (in.getByte(eol - 1) != '\r') {
            throw new FrameException("Protocol error: " + what + " not terminated by CRLF");
        }
        return eol;
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        return RespReplies.length(in, in.readerIndex(), maxReplyBytes);
    }

    @Override
    public byte[] errorReply(String message) {
        return ("-ERR resh: " + Frames.oneLine(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean tolerant(Request request) {
        return (request.shape() & RespCommands.TOLERANT) != 0;
    }

    /** Sorts the elements of set-like replies so that hash-table iteration order does not count. */
    @Override
    public boolean verbatim(Request request) {
        return (request.shape() & (RespCommands.UNORDERED | RespCommands.UNORDERED_PAIRS)) == 0;
    }

    @Override
    public byte[] canonicalize(Request request, byte[] reply) {
        int shape = request.shape();
        if ((shape & (RespCommands.UNORDERED | RespCommands.UNORDERED_PAIRS)) == 0 || reply.length == 0
                || (reply[0] != '*' && reply[0] != '~' && reply[0] != '%')) {
            return reply;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(reply);
        int eol = buf.indexOf(0, reply.length, (byte) '\n');
        long n = Frames.decimal(buf, 1, eol - 1, "aggregate length");
        if (reply[0] == '%') {
            n *= 2;
        }
        List<byte[]> elements = new ArrayList<>();
        int pos = eol + 1;
        for (long i = 0; i < n; i++) {
            int len = RespReplies.length(buf, pos, reply.length);
            elements.add(Arrays.copyOfRange(reply, pos, pos + len));
            pos += len;
        }
        List<byte[]> units = new ArrayList<>();
        boolean pairs = (shape & RespCommands.UNORDERED_PAIRS) != 0 || reply[0] == '%';
        if (pairs && elements.size() % 2 == 0) {
            for (int i = 0; i < elements.size(); i += 2) {
                byte[] a = elements.get(i);
                byte[] b = elements.get(i + 1);
                byte[] pair = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, pair, a.length, b.length);
                units.add(pair);
            }
        } else {
            units = elements;
        }
        units.sort(Arrays::compareUnsigned);
        ByteArrayOutputStream out = new ByteArrayOutputStream(reply.length);
        out.write(reply, 0, eol + 1);
        for (byte[] u : units) {
            out.write(u, 0, u.length);
        }
        return out.toByteArray();
    }
}
