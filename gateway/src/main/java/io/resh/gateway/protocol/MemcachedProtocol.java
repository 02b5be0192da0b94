package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The memcached text protocol.
 *
 * <p>Storage commands carry a data block; retrieval commands are answered by {@code VALUE} blocks and
 * {@code END}; everything else by one line. {@code noreply} is stripped before forwarding so every
 * replica still answers and can be voted; the client just doesn't get that reply. Relative expiry
 * times (1 second to 30 days), and the delay of {@code flush_all}, are stamped as absolute Unix times,
 * for the same reason as in {@link RespExpiry}. Statistics and meta commands are refused.
 */
public final class MemcachedProtocol implements Protocol {
    static final int LINE = 0;
    static final int RETRIEVAL = 1;

    private static final int MAX_LINE = 8192;
    private static final long THIRTY_DAYS = 60L * 60 * 24 * 30;
    private static final Set<String> STORAGE = Set.of("set", "add", "replace", "append", "prepend", "cas");
    private static final Set<String> REJECTED = Set.of("stats", "slabs", "lru_crawler", "lru", "watch", "shutdown",
            "cache_memlimit", "misbehave", "extstore", "debugtime", "verbosity");
    /** The meta protocol: its replies are framed by flags this gateway does not parse. */
    private static final Set<String> META = Set.of("mn", "mg", "ms", "md", "ma", "me");

    private final LongSupplier clockMillis;

    public MemcachedProtocol(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    @Override
    public String name() {
        return "memcached";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        int start = in.readerIndex();
        int eol = Frames.lineEnd(in, start);
        if (eol < 0) {
            int limit = Math.min(MAX_LINE, maxFrameBytes);
            if (in.readableBytes() > limit) {
                throw Frames.tooLarge("command line", in.readableBytes(), limit);
            }
            return null;
        }
        int lineEnd = eol > start && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
        if (eol + 1 - start > Math.min(MAX_LINE, maxFrameBytes)) {
            throw Frames.tooLarge("command line", eol + 1 - start, Math.min(MAX_LINE, maxFrameBytes));
        }
        List<String> tokens = tokens(Frames.latin1(in, start, lineEnd));
        if (tokens.isEmpty()) {
            in.skipBytes(eol + 1 - start);
            return new LocalReply("ERROR\r\n".getBytes(StandardCharsets.US_ASCII), false);
        }
        String cmd = tokens.get(0).toLowerCase(Locale.ROOT);
        // Only after a command: a line of "noreply" alone is a command the servers answer ERROR to, and taken as
        // silent it went to them as an empty line whose ERROR then answered the next request.
        boolean silent = tokens.size() > 1 && tokens.get(tokens.size() - 1).equals("noreply");
        if (silent) {
            tokens.remove(tokens.size() - 1);
        }
        byte[] data = new byte[0];
        int length = eol + 1 - start;
        if (STORAGE.contains(cmd)) {
            int bytesAt = 4;
            if (tokens.size() != (cmd.equals("cas") ? 6 : 5)) {
                throw new FrameException("bad command line format for '" + cmd + "'");
            }
            long n = parse(tokens.get(bytesAt), "data length");
            if (n < 0) {
                throw new FrameException("bad data chunk: negative length " + n);
            }
            if (n > Integer.MAX_VALUE) { // over any limit, and length + n + 2 would overflow near Long.MAX_VALUE
                throw Frames.tooLarge("request", n, maxFrameBytes);
            }
            long total = (long) length + n + 2;
            if (total > maxFrameBytes) {
                throw Frames.tooLarge("request", total, maxFrameBytes);
            }
            if (start + total > in.writerIndex()) {
                return null;
            }
            int dataEnd = (int) (start + total);
            if (in.getByte(dataEnd - 2) != '\r' || in.getByte(dataEnd - 1) != '\n') {
                throw new FrameException("bad data chunk: the data block must be followed by CRLF");
            }
            data = new byte[(int) n + 2];
            in.getBytes(eol + 1, data);
            length = (int) total;
            stampExpiry(tokens, 3);
        } else if (cmd.equals("quit")) {
            in.skipBytes(length);
            return new LocalReply(new byte[0], true);
        } else if (REJECTED.contains(cmd)) {
            in.skipBytes(length);
            return new LocalReply(errorReply("'" + cmd + "' is not supported through the replicating gateway: "
                    + "its answer differs per replica or it changes one server's process"), false);
        } else if (META.contains(cmd)) {
            in.skipBytes(length);
            return new LocalReply(errorReply("'" + cmd + "' is not supported through the replicating gateway: "
                    + "it frames only the text protocol's commands, not the meta commands; use get, set, delete,"
                    + " incr and the like"), false);
        } else if (cmd.equals("touch")) {
            stampExpiry(tokens, 2);
        } else if (cmd.equals("gat") || cmd.equals("gats")) {
            stampExpiry(tokens, 1);
        } else if (cmd.equals("flush_all")) {
            stampExpiry(tokens, 1); // its delay is relative like an expiry: a replay must flush at the same time
        }
        in.skipBytes(length);
        byte[] line = (String.join(" ", tokens) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] bytes = Arrays.copyOf(line, line.length + data.length);
        System.arraycopy(data, 0, bytes, line.length, data.length);
        boolean retrieval = cmd.equals("get") || cmd.equals("gets") || cmd.equals("gat") || cmd.equals("gats");
        boolean readOnly = cmd.equals("get") || cmd.equals("gets") || cmd.equals("version");
        return new Request(bytes, cmd, readOnly, retrieval ? RETRIEVAL : LINE, silent, false);
    }

    private void stampExpiry(List<String> tokens, int index) {
        if (index >= tokens.size()) {
            return;
        }
        long t;
        try {
            t = Long.parseLong(tokens.get(index));
        } catch (NumberFormatException e) {
            return; // memcached reports the malformed line itself
        }
        if (t > 0 && t <= THIRTY_DAYS) {
            tokens.set(index, Long.toString(clockMillis.getAsLong() / 1000 + t));
        }
    }

    private static long parse(String token, String what) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new FrameException("bad command line format: invalid " + what + " '" + token + "'");
        }
    }

    private static List<String> tokens(String line) {
        List<String> out = new ArrayList<>();
        for (String t : line.split(" +")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        int start = in.readerIndex();
        int pos = start;
        while (true) {
            int eol = Frames.lineEnd(in, pos);
            if (eol < 0) {
                if (in.writerIndex() - start > maxReplyBytes) {
                    throw Frames.tooLarge("reply", in.writerIndex() - start, maxReplyBytes);
                }
                return -1;
            }
            if (request.shape() != RETRIEVAL) {
                return checked(eol + 1 - start, maxReplyBytes);
            }
            String line = Frames.latin1(in, pos, Math.min(eol, pos + 512)).trim();
            if (line.startsWith("VALUE ")) {
                String[] t = line.split(" +");
                if (t.length < 4) {
                    throw new FrameException("malformed VALUE line '" + line + "'");
                }
                long n = parse(t[3], "value length");
                if (n < 0) {
                    throw new FrameException("malformed VALUE line '" + line + "': negative length");
                }
                if (n > Integer.MAX_VALUE) { // over any limit, and eol + 1 + n + 2 would overflow near Long.MAX_VALUE
                    throw Frames.tooLarge("reply", n, maxReplyBytes);
                }
                long next = (long) eol + 1 + n + 2;
                if (next - start > maxReplyBytes) {
                    throw Frames.tooLarge("reply", next - start, maxReplyBytes);
                }
                if (next > in.writerIndex()) {
                    return -1;
                }
                pos = (int) next;
            } else if (line.equals("END") || pos == start) {
                return checked(eol + 1 - start, maxReplyBytes); // END, or a one-line error instead of values
            } else {
                throw new FrameException("expected VALUE or END, got '" + Frames.printable(in, pos, eol) + "'");
            }
        }
    }

    private static int checked(long length, int max) {
        if (length > max) {
            throw Frames.tooLarge("reply", length, max);
        }
        return (int) length;
    }

    @Override
    public boolean verbatim(Request request) {
        return true;
    }

    @Override
    public byte[] errorReply(String message) {
        return ("SERVER_ERROR resh: " + Frames.oneLine(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code CLIENT_ERROR}, as memcached itself answers a bad command line or data chunk: client libraries raise a
     * client error for it, where {@code SERVER_ERROR} had them report a fault of the server for the caller's mistake.
     */
    @Override
    public byte[] badRequestReply(String message) {
        return ("CLIENT_ERROR resh: " + Frames.oneLine(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
