package io.resh.gateway.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resh.gateway.protocol.HttpMessages.Head;
import io.resh.gateway.protocol.HttpMessages.Header;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * HTTP/1.1 (and 1.0 clients). Requests are forwarded whole (head and body, {@code Content-Length} or
 * chunked) as HTTP/1.1 over the shared keep-alive connection, with hop-by-hop headers removed, so a
 * client's {@code Connection: close} closes only that client. Responses are framed by
 * {@code Content-Length}, chunked encoding, or their status (HEAD, 204, 304); interim 1xx responses
 * travel with the final one. The {@code Date} header is masked before comparing. Requests that would
 * take over the connection (CONNECT, {@code Upgrade}) are refused.
 */
public final class HttpProtocol implements Protocol {
    static final int HEAD_REQUEST = 1;
    static final int HTTP10 = 2;

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "upgrade", "expect", "proxy-authorization", "proxy-authenticate");
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
        while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
            in.skipBytes(1); // RFC 9112: ignore empty lines before a request line
        }
        int start = in.readerIndex();
        Head head = HttpMessages.head(in, start, Math.min(HttpMessages.MAX_HEAD, maxFrameBytes), "request");
        if (head == null) {
            return null;
        }
        String[] line = head.startLine().split(" ");
        if (line.length != 3 || line[0].isEmpty() || !line[0].chars().allMatch(HttpMessages::isTokenChar)) {
            throw new FrameException("400 malformed request line '" + Frames.oneLine(head.startLine()) + "'");
        }
        String method = line[0];
        String version = line[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new FrameException("505 HTTP version '" + version + "' is not supported; use HTTP/1.1");
        }
        boolean http10 = version.equals("HTTP/1.0");
        String te = head.value("Transfer-Encoding");
        long contentLength = HttpMessages.contentLength(head.value("Content-Length"), "request");
        int end;
        if (te != null) {
            if (contentLength >= 0) {
                throw new FrameException("400 request has both Transfer-Encoding and Content-Length");
            }
            if (!te.equalsIgnoreCase("chunked")) {
                throw new FrameException("501 Transfer-Encoding '" + te + "' is not supported; use chunked");
            }
            end = HttpMessages.chunkedEnd(in, start, head.end(), maxFrameBytes, "request");
        } else {
            long total = head.end() - start + Math.max(0, contentLength);
            HttpMessages.checkSize(total, maxFrameBytes, "request");
            end = start + total > in.writerIndex() ? -1 : (int) (start + total);
        }
        if (end < 0) {
            if (head.hasToken("Expect", "100-continue")) {
                return new Interim(CONTINUE);
            }
            return null;
        }
        // An HTTP/1.0 client is always closed after its reply: it may not understand a kept-alive 1.1 body.
        boolean close = http10 || head.hasToken("Connection", "close");
        if (method.equals("CONNECT") || head.value("Upgrade") != null) {
            in.readerIndex(end);
            return new LocalReply(errorReply("501 CONNECT and protocol upgrades cannot share the replicas' connections"), close);
        }
        byte[] bytes = rewrite(in, start, end, head, method, line[1]);
        in.readerIndex(end);
        boolean readOnly = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        int shape = (method.equals("HEAD") ? HEAD_REQUEST : 0) | (http10 ? HTTP10 : 0);
        String target = line[1].length() > 60 ? line[1].substring(0, 60) + "..." : line[1];
        return new Request(bytes, method + " " + target, readOnly, shape, false, close);
    }

    /** The request as HTTP/1.1 without hop-by-hop headers (and a Host header, which 1.1 requires). */
    private static byte[] rewrite(ByteBuf in, int start, int end, Head head, String method, String target) {
        Set<String> drop = new HashSet<>(HOP_BY_HOP);
        for (Header h : head.headers()) {
            if (h.is("Connection")) {
                for (String t : h.value().split(",")) {
                    drop.add(HttpMessages.lower(t.trim()));
                }
            }
        }
        StringBuilder sb = new StringBuilder(end - start);
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean host = false;
        for (Header h : head.headers()) {
            if (!drop.contains(HttpMessages.lower(h.name()))) {
                sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
                host |= h.is("Host");
            }
        }
        if (!host) {
            sb.append("Host: localhost\r\n");
        }
        sb.append("\r\n");
        byte[] headBytes = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[headBytes.length + end - head.end()];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        in.getBytes(head.end(), out, headBytes.length, end - head.end());
        return out;
    }

    @Override
    public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
        int start = in.readerIndex();
        int pos = start;
        while (true) {
            Head head = HttpMessages.head(in, pos, Math.min(HttpMessages.MAX_HEAD, maxReplyBytes), "response");
            if (head == null) {
                // the head's own limit counts from pos: the interim responses before it count too
                HttpMessages.checkSize(in.writerIndex() - start, maxReplyBytes, "response");
                return -1;
            }
            String[] status = head.startLine().split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.") || !status[1].matches("\\d{3}")) {
                throw new FrameException("malformed status line '" + Frames.oneLine(head.startLine()) + "'");
            }
            int code = Integer.parseInt(status[1]);
            if (code == 101) {
                throw new FrameException("server switched protocols (101), which a shared connection cannot follow");
            }
            if (code < 200) {
                pos = head.end(); // interim response: the final one follows
                continue;
            }
            int end;
            String te = head.value("Transfer-Encoding");
            long contentLength = HttpMessages.contentLength(head.value("Content-Length"), "response");
            if ((request.shape() & HEAD_REQUEST) != 0 || code == 204 || code == 304) {
                end = head.end();
                HttpMessages.checkSize(end - start, maxReplyBytes, "response");
            } else if (te != null) {
                String lower = HttpMessages.lower(te);
                // chunked must be the last coding ("gzip, chunked"); "xchunked" only ends with its letters
                if (!lower.substring(lower.lastIndexOf(',') + 1).strip().equals("chunked")) {
                    throw new FrameException("response Transfer-Encoding '" + te + "' is not chunked");
                }
                end = HttpMessages.chunkedEnd(in, start, head.end(), maxReplyBytes, "response");
            } else if (contentLength >= 0) {
                long total = head.end() + contentLength;
                HttpMessages.checkSize(total - start, maxReplyBytes, "response");
                end = total > in.writerIndex() ? -1 : (int) total;
            } else {
                throw new FrameException("response has neither Content-Length nor chunked encoding, so only closing "
                        + "the connection would end it, and the replicas' connections are shared");
            }
            return end < 0 ? -1 : end - start;
        }
    }

    /** Masks the Date header, which replicas set from their own clocks. */
    @Override
    public byte[] canonicalize(Request request, byte[] reply) {
        String text = new String(reply, StandardCharsets.ISO_8859_1);
        int headEnd = text.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return reply;
        }
        String head = text.substring(0, headEnd).replaceAll("(?im)^(date:).*$", "$1 *");
        return (head + text.substring(headEnd)).getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean mayCloseAfterReply() {
        return true;
    }

    /** The final response's head (past any 1xx) says the connection ends: {@code close}, or HTTP/1.0 without keep-alive. */
    @Override
    public boolean closesConnection(Request request, byte[] reply) {
        FinalResponse last = finalResponse(Unpooled.wrappedBuffer(reply), reply.length);
        if (last == null) {
            return false;
        }
        Head head = last.head();
        return head.hasToken("Connection", "close")
                || (head.startLine().startsWith("HTTP/1.0") && !head.hasToken("Connection", "keep-alive"));
    }

    /** Where the final response (past any 1xx interim ones) starts in a reply, and its head. */
    private record FinalResponse(int start, Head head) {
    }

    /** The reply's final response, or null when the reply holds no complete head. */
    private static FinalResponse finalResponse(ByteBuf buf, int length) {
        int pos = 0;
        while (true) {
            Head head = HttpMessages.head(buf, pos, length, "response");
            if (head == null) {
                return null;
            }
            String[] status = head.startLine().split(" ", 3);
            int code = status.length > 1 && status[1].matches("\\d{3}") ? Integer.parseInt(status[1]) : 200;
            if (code >= 200) {
                return new FinalResponse(pos, head);
            }
            pos = head.end();
        }
    }

    /** Adds {@code Connection: close} where the client asked for it; an HTTP/1.0 client gets no chunked body. */
    @Override
    public byte[] toClient(Request request, byte[] reply) {
        if (!request.closeAfter()) {
            return reply;
        }
        ByteBuf buf = Unpooled.wrappedBuffer(reply);
        FinalResponse last = finalResponse(buf, reply.length);
        if (last == null) {
            return reply;
        }
        int pos = last.start();
        Head head = last.head();
        ByteArrayOutputStream out = new ByteArrayOutputStream(reply.length + 32);
        boolean dechunk = (request.shape() & HTTP10) != 0 && head.value("Transfer-Encoding") != null;
        StringBuilder sb = new StringBuilder(head.startLine()).append("\r\n");
        for (Header h : head.headers()) {
            if (!h.is("Connection") && !h.is("Keep-Alive") && !(dechunk && h.is("Transfer-Encoding"))) {
                sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
            }
        }
        byte[] body = dechunk ? dechunk(buf, head.end()) : null;
        if (dechunk) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        out.write(reply, 0, pos);
        out.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (dechunk) {
            out.writeBytes(body);
        } else {
            out.write(reply, head.end(), reply.length - head.end());
        }
        return out.toByteArray();
    }

    private static byte[] dechunk(ByteBuf buf, int from) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int pos = from;
        while (true) {
            int eol = Frames.lineEnd(buf, pos);
            String line = Frames.latin1(buf, pos, eol).trim();
            int semi = line.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).trim(), 16);
            pos = eol + 1;
            if (size == 0) {
                return body.toByteArray();
            }
            byte[] chunk = new byte[(int) size];
            buf.getBytes(pos, chunk);
            body.writeBytes(chunk);
            pos += (int) size + 2;
        }
    }

    /**
     * An error response. A message starting with a three-digit status and a space (as the framer's
     * messages do, e.g. {@code "413 request of ..."}) sets the status; otherwise it is 503.
     */
    @Override
    public byte[] errorReply(String message) {
        int code = 503;
        String text = message;
        if (message.length() > 4 && message.substring(0, 3).matches("\\d{3}") && message.charAt(3) == ' ') {
            code = Integer.parseInt(message.substring(0, 3));
            text = message.substring(4);
        }
        byte[] body = ("resh: " + Frames.oneLine(text) + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + code + " " + reason(code) + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n" + (code < 500 || code == 501 || code == 505 ? "Connection: close\r\n" : "")
                + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }

    private static String reason(int code) {
        return switch (code) {
            case 400 -> "Bad Request";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 505 -> "HTTP Version Not Supported";
            case 502 -> "Bad Gateway";
            default -> "Service Unavailable";
        };
    }

    /** An interim response (100 Continue) the client needs before it sends the body. */
    public record Interim(byte[] bytes) {
    }
}
