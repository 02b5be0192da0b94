package io.resh.gateway.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a command line into arguments the way a POSIX shell does for plain words, without running a
 * shell: whitespace separates words; {@code '...'} quotes literally; {@code "..."} quotes with
 * {@code \"}, {@code \\}, {@code \$} and {@code \`} escapes; a backslash outside quotes escapes the
 * next character; {@code ""} is an empty argument. There is no variable expansion, globbing,
 * redirection or piping (run {@code sh -c '...'} for those).
 */
public final class CommandLine {

    private CommandLine() {
    }

    /** @throws IllegalArgumentException naming the column of an unterminated quote or a trailing backslash */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated ' quote starting at column " + (i + 1));
                }
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                int j = i + 1;
                boolean closed = false;
                while (j < line.length()) {
                    char d = line.charAt(j);
                    if (d == '"') {
                        closed = true;
                        break;
                    }
                    if (d == '\\' && j + 1 < line.length() && "\"\\$`".indexOf(line.charAt(j + 1)) >= 0) {
                        word.append(line.charAt(j + 1));
                        j += 2;
                    } else {
                        word.append(d);
                        j++;
                    }
                }
                if (!closed) {
                    throw new IllegalArgumentException("unterminated \" quote starting at column " + (i + 1));
                }
                inWord = true;
                i = j + 1;
            } else if (c == '\\') {
                if (i + 1 >= line.length()) {
                    throw new IllegalArgumentException("trailing backslash at column " + (i + 1));
                }
                word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                i++;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) {
            out.add(word.toString());
        }
        return out;
    }

    /** Replaces every {@code {name}} placeholder in every argument; unknown placeholders stay as written. */
    public static List<String> substitute(List<String> args, Map<String, String> values) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            String s = a;
            for (Map.Entry<String, String> e : values.entrySet()) {
                s = s.replace("{" + e.getKey() + "}", e.getValue());
            }
            out.add(s);
        }
        return out;
    }
}
