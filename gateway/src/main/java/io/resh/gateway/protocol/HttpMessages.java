package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Scanning of HTTP/1.x message heads and bodies, shared by requests and responses. All methods look, none consume. */
final class HttpMessages {
    static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_CHUNK_LINE = 1024;

    private HttpMessages() {
    }

    /** One header line: {@code name} as sent, {@code value} trimmed. */
    record Header(String name, String value) {
        boolean is(String other) {
            return name.equalsIgnoreCase(other);
        }
    }

    /** A parsed head: the start line, the headers, and the index just past the blank line. */
    record Head(String startLine, List<Header> headers, int end) {
        String value(String name) {
            String found = null;
            for (Header h : headers) {
                if (h.is(name)) {
                    if (found != null && !found.equals(h.value())) {
                        return "\0conflict";
                    }
                    found = h.value();
                }
            }
            return found;
        }

        boolean hasToken(String name, String token) {
            for (Header h : headers) {
                if (h.is(name)) {
                    for (String t : h.value().split(",")) {
                        if (t.trim().equalsIgnoreCase(token)) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }
    }

    /** Parses the head at {@code start}, or returns null if its blank line has not arrived. */
    static Head head(ByteBuf in, int start, int limit, String what) {
        int pos = start;
        String startLine = null;
        List<Header> headers = new ArrayList<>();
        while (true) {
            int eol = Frames.lineEnd(in, pos);
            if (eol < 0) {
                if (in.writerIndex() - start > limit) {
                    throw new FrameException("431 " + what + " head exceeds " + limit + " bytes");
                }
                return null;
            }
            if (eol + 1 - start > limit) {
                throw new FrameException("431 " + what + " head exceeds " + limit + " bytes");
            }
            int lineEnd = eol > pos && in.getByte(eol - 1) == '\r' ? eol - 1 : eol;
            String line = Frames.latin1(in, pos, lineEnd);
            if (line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) {
                // RFC 9112: a bare CR (or a NUL) is refused, since a server that ends a line there too would read
                // other headers (a Content-Length) than the gateway framed by, on the connection every client shares.
                throw new FrameException("400 bare CR or NUL in " + what + " head line '" + Frames.printable(in, pos, lineEnd) + "'");
            }
            pos = eol + 1;
            if (startLine == null) {
                startLine = line;
                continue;
            }
            if (line.isEmpty()) {
                return new Head(startLine, headers, pos);
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new FrameException("400 obsolete line folding in " + what + " headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new FrameException("400 malformed " + what + " header line '" + line + "'");
            }
            String name = line.substring(0, colon);
            if (!name.chars().allMatch(HttpMessages::isTokenChar)) {
                throw new FrameException("400 invalid " + what + " header name '" + name + "'");
            }
            headers.add(new Header(name, line.substring(colon + 1).trim()));
        }
    }

    /** The index just past a chunked body starting at {@code from}, or -1 if it is not complete. */
    static int chunkedEnd(ByteBuf in, int start, int from, int max, String what) {
        int pos = from;
        while (true) {
            int eol = Frames.lineEnd(in, pos);
            if (eol < 0) {
                checkSize(in.writerIndex() - start, max, what);
                return -1;
            }
            if (eol - pos > MAX_CHUNK_LINE) {
                throw new FrameException("400 chunk size line too long in " + what);
            }
            String line = Frames.latin1(in, pos, eol).trim();
            int semi = line.indexOf(';');
            String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
            // Hex digits only (RFC 9112 chunk-size): Long.parseLong also takes a sign, and read "-0" as the last chunk
            // and "+5" as five bytes where a server refuses both.
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> "0123456789abcdefABCDEF".indexOf(c) >= 0)) {
                throw new FrameException("400 invalid chunk size '" + hex + "' in " + what);
            }
            long size = Long.parseLong(hex, 16);
            pos = eol + 1;
            if (size == 0) {
                while (true) { // trailer fields, then a blank line
                    int t = Frames.lineEnd(in, pos);
                    if (t < 0) {
                        checkSize(in.writerIndex() - start, max, what);
                        return -1;
                    }
                    boolean blank = t == pos || (t == pos + 1 && in.getByte(pos) == '\r');
                    pos = t + 1;
                    checkSize(pos - start, max, what);
                    if (blank) {
                        return pos;
                    }
                }
            }
            long next = pos + size + 2;
            checkSize(next - start, max, what);
            if (next > in.writerIndex()) {
                return -1;
            }
            if (in.getByte((int) next - 2) != '\r' || in.getByte((int) next - 1) != '\n') {
                throw new FrameException("400 chunk of " + size + " bytes not followed by CRLF in " + what);
            }
            pos = (int) next;
        }
    }

    /** The body length a Content-Length value announces. */
    static long contentLength(String value, String what) {
        if (value == null) {
            return -1;
        }
        if (value.startsWith("\0") || !value.matches("\\d{1,18}")) {
            throw new FrameException("400 invalid Content-Length in " + what);
        }
        return Long.parseLong(value);
    }

    static void checkSize(long size, int max, String what) {
        if (size > max) {
            throw new FrameException("413 " + what + " of " + size + " bytes exceeds the limit of " + max + " bytes"
                    + Frames.setting(what));
        }
    }

    static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
