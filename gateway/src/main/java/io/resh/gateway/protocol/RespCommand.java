package io.resh.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A Redis command as an array of binary-safe arguments, with its RESP encoding. */
final class RespCommand {
    private final byte[][] args;
    /** {@link #name()}, computed once: classifying a command asks for it several times. */
    private String name;

    RespCommand(byte[][] args) {
        this.args = args;
    }

    static RespCommand of(List<byte[]> args) {
        return new RespCommand(args.toArray(new byte[0][]));
    }

    int size() {
        return args.length;
    }

    byte[] arg(int i) {
        return args[i];
    }

    /** Argument {@code i} upper-cased (ASCII only), for matching names and options. */
    String word(int i) {
        if (i >= args.length || args[i].length > 64) {
            return "";
        }
        return new String(args[i], StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
    }

    String name() {
        if (name == null) {
            name = word(0);
        }
        return name;
    }

    /** A copy with argument {@code i} (and {@code count - 1} more) replaced by {@code replacement}. */
    RespCommand splice(int i, int count, String... replacement) {
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
        byte[][] out = Arrays.copyOf(args, args.length + extra.length);
        for (int k = 0; k < extra.length; k++) {
            out[args.length + k] = extra[k].getBytes(StandardCharsets.ISO_8859_1);
        }
        return new RespCommand(out);
    }

    /** The RESP array-of-bulk-strings encoding, which every Redis version accepts. */
    byte[] encode() {
        int size = 16;
        for (byte[] a : args) {
            size += a.length + 16;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        header(out, '*', args.length);
        for (byte[] a : args) {
            header(out, '$', a.length);
            out.write(a, 0, a.length);
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
