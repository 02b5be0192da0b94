package io.resh.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Stamps relative expirations with the gateway's clock: {@code SET k v EX 10} becomes
 * {@code SET k v PXAT <now+10000>}, {@code EXPIRE k 10} becomes {@code PEXPIREAT k <now+10000>}.
 *
 * <p>Why: each replica would otherwise add the TTL to its own clock at the moment it executes the
 * command, so the replicas' deadlines differ, and a replica restarted later and replayed from the log
 * would keep the key alive long after the others dropped it. With one absolute deadline chosen by
 * the sequencer, live replicas and replayed ones agree. Only well-formed positive times are
 * rewritten, so every error Redis would have given is still given by Redis.
 */
final class RespExpiry {
    /** Larger relative times are left alone (Redis rejects them as out of range itself). */
    private static final long MAX_SECONDS = 1L << 40;

    private RespExpiry() {
    }

    /** @param nowMillis the wall clock, read only when a relative time is rewritten (most commands have none) */
    static RespCommand stamp(RespCommand cmd, LongSupplier nowMillis) {
        switch (cmd.name()) {
            case "SET":
                return relativeOption(cmd, 3, nowMillis);
            case "GETEX":
                return relativeOption(cmd, 2, nowMillis);
            case "SETEX":
            case "PSETEX": {
                if (cmd.size() != 4) {
                    return cmd;
                }
                long ms = millis(cmd.arg(2), cmd.name().equals("SETEX"));
                if (ms <= 0) {
                    return cmd;
                }
                return new RespCommand(new byte[][] {ascii("SET"), cmd.arg(1), cmd.arg(3), ascii("PXAT"),
                        ascii(Long.toString(nowMillis.getAsLong() + ms))});
            }
            case "EXPIRE":
            case "PEXPIRE": {
                if (cmd.size() < 3 || cmd.size() > 4) {
                    return cmd;
                }
                long ms = millis(cmd.arg(2), cmd.name().equals("EXPIRE"));
                if (ms <= 0) {
                    return cmd;
                }
                return cmd.splice(0, 1, "PEXPIREAT").splice(2, 1, Long.toString(nowMillis.getAsLong() + ms));
            }
            default:
                return cmd;
        }
    }

    private static RespCommand relativeOption(RespCommand cmd, int from, LongSupplier nowMillis) {
        for (int i = from; i + 1 < cmd.size(); i++) {
            String w = cmd.word(i);
            if (w.equals("EX") || w.equals("PX")) {
                long ms = millis(cmd.arg(i + 1), w.equals("EX"));
                if (ms <= 0) {
                    return cmd;
                }
                return cmd.splice(i, 2, "PXAT", Long.toString(nowMillis.getAsLong() + ms));
            }
        }
        return cmd;
    }

    /** The argument as milliseconds, or -1 if it is not a plain positive integer in range. */
    private static long millis(byte[] arg, boolean seconds) {
        if (arg.length == 0 || arg.length > 15) {
            return -1;
        }
        long v = 0;
        for (byte b : arg) {
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        if (v <= 0 || v > MAX_SECONDS) {
            return -1;
        }
        return seconds ? v * 1000 : v;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
