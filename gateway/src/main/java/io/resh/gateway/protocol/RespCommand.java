package io.resh.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A Redis command as an array of binary-safe arguments, with its RESP encoding. The arguments are
 * slices of one array (for a request as read, the request's own bytes), so framing a request copies
 * its bytes once, not once per argument.
 */
final class RespCommand {
    private final byte[] data;
    private final int[] offsets;
    private final int[] lengths;
    /** {@link #name()}, computed once: classifying a command asks for it several times. */
    private String name;

    /** Arguments at {@code offsets[i]}, {@code lengths[i]} bytes long, in {@code data}. */
    RespCommand(byte[] data, int[] offsets, int[] lengths) {
        this.data = data;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    RespCommand(byte[][] args) {
        int total = 0;
        for (byte[] a : args) {
            total += a.length;
        }
        this.data = new byte[total];
        this.offsets = new int[args.length];
        this.lengths = new int[args.length];
        int at = 0;
        for (int i = 0; i < args.length; i++) {
            System.arraycopy(args[i], 0, data, at, args[i].length);
            offsets[i] = at;
            lengths[i] = args[i].length;
            at += args[i].length;
        }
    }

    static RespCommand of(List<byte[]> args) {
        return new RespCommand(args.toArray(new byte[0][]));
    }

    /** The array the arguments are slices of: for a command framed from a request, the request's bytes. */
    byte[] data() {
        return data;
    }

    int size() {
        return offsets.length;
    }

    byte[] arg(int i) {
        return Arrays.copyOfRange(data, offsets[i], offsets[i] + lengths[i]);
    }

    /** Argument {@code i} upper-cased (ASCII only), for matching names and options. */
    String word(int i) {
        if (i >= offsets.length || lengths[i] > 64) {
            return "";
        }
        return new String(data, offsets[i], lengths[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    String name() {
        if (name == null) {
            name = word(0);
        }
        return name;
    }

    private byte[][] args() {
        byte[][] out = new byte[offsets.length][];
        for (int i = 0; i < out.length; i++) {
            out[i] = arg(i);
        }
        return out;
    }

    /** A copy with argument {@code i} (and {@code count - 1} more) replaced by {@code replacement}. */
    RespCommand splice(int i, int count, String... replacement) {
        byte[][] args = args();
        byte[][] out = new byte[args.length - count + replacement.length][];
        System.arraycopy(args, 0, out, 0, i);
        for (int k = 0; k < replacement.length; k++) {
            out[i + k] = replacement[k].getBytes(StandardCharsets.ISO_8859_1);
        }
        System.arraycopy(args, i + count, out, i + replacement.length, args.length - i - count);
        return new RespCommand(out);
    }

    /** A copy with {@code extra} appended. */
    RespCommand append(String... extra) {
        byte[][] args = args();
        byte[][] out = Arrays.copyOf(args, args.length + extra.length);
        for (int k = 0; k < extra.length; k++) {
            out[args.length + k] = extra[k].getBytes(StandardCharsets.ISO_8859_1);
        }
        return new RespCommand(out);
    }

    /** The RESP array-of-bulk-strings encoding, which every Redis version accepts. */
    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 16 * (offsets.length + 1));
        header(out, '*', offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            header(out, '$', lengths[i]);
            out.write(data, offsets[i], lengths[i]);
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void header(ByteArrayOutputStream out, char type, int n) {
        out.write(type);
        byte[] digits = Integer.toString(n).getBytes(StandardCharsets.US_ASCII);
        out.write(digits, 0, digits.length);
        out.write('\r');
        out.write('\n');
    }
}
