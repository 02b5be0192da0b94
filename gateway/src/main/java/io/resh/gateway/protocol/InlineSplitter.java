package io.resh.gateway.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a Redis inline command into arguments the way Redis does ({@code sdssplitargs}): spaces
 * separate words, {@code "..."} understands {@code \n \r \t \b \a \\ \" \xHH}, {@code '...'}
 * understands {@code \'}.
 */
final class InlineSplitter {
    private InlineSplitter() {
    }

    static List<byte[]> split(byte[] line) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        int n = line.length;
        while (true) {
            while (i < n && isSpace(line[i])) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            ByteArrayOutputStream word = new ByteArrayOutputStream();
            if (line[i] == '"') {
                i = doubleQuoted(line, i + 1, word);
            } else if (line[i] == '\'') {
                i = singleQuoted(line, i + 1, word);
            } else {
                while (i < n && !isSpace(line[i])) {
                    word.write(line[i++]);
                }
            }
            out.add(word.toByteArray());
        }
    }

    private static int doubleQuoted(byte[] line, int i, ByteArrayOutputStream word) {
        int n = line.length;
        while (i < n) {
            byte c = line[i];
            if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && hex(line[i + 2]) >= 0 && hex(line[i + 3]) >= 0) {
                word.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
                i += 4;
            } else if (c == '\\' && i + 1 < n) {
                byte e = line[i + 1];
                word.write(switch (e) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'a' -> 7;
                    default -> e;
                });
                i += 2;
            } else if (c == '"') {
                return closing(line, i + 1);
            } else {
                word.write(c);
                i++;
            }
        }
        throw new FrameException("Protocol error: unbalanced quotes in request");
    }

    private static int singleQuoted(byte[] line, int i, ByteArrayOutputStream word) {
        int n = line.length;
        while (i < n) {
            byte c = line[i];
            if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
                word.write('\'');
                i += 2;
            } else if (c == '\'') {
                return closing(line, i + 1);
            } else {
                word.write(c);
                i++;
            }
        }
        throw new FrameException("Protocol error: unbalanced quotes in request");
    }

    private static int closing(byte[] line, int i) {
        if (i < line.length && !isSpace(line[i])) {
            throw new FrameException("Protocol error: unbalanced quotes in request");
        }
        return i;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }
}
