package io.resh.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP server that closes every connection after one response, as HTTP/1.0 servers do (Python's
 * {@code http.server} by default): it reads one request, answers {@code HTTP/1.0 200} with a counter
 * incremented by every {@code POST} and a {@code Content-Length}, closes the connection, and never reads
 * the requests a client pipelined behind the first: it resets the connection, as the kernel does when a
server closes with requests unread, so a client writing more then gets "broken pipe" while the response
may still be unread. Run as its own process.
 *
 * <pre>java -cp ... Http10CounterServer PORT</pre>
 */
public final class Http10CounterServer {
    private Http10CounterServer() {
    }

    public static void main(String[] args) throws Exception {
        long counter = 0;
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
            while (true) {
                try (Socket s = listener.accept()) {
                    String head = head(s.getInputStream());
                    if (head == null) {
                        continue;
                    }
                    if (head.startsWith("POST ")) {
                        counter++;
                    }
                    byte[] body = Long.toString(counter).getBytes(StandardCharsets.US_ASCII);
                    // One write: in two, Nagle could hold the body back until the head was acknowledged, and the
                    // reset below would then discard it unsent. The response must be whole on the wire first.
                    ByteArrayOutputStream response = new ByteArrayOutputStream();
                    response.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    response.write(body);
                    OutputStream out = s.getOutputStream();
                    out.write(response.toByteArray());
                    out.flush();
                    s.setSoLinger(true, 0); // close with a reset, as a server with unread requests does
                } catch (IOException e) {
                    // next connection
                }
            }
        }
    }

    /** The request head up to its blank line (bodiless requests only), or null if the client left first. */
    private static String head(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return null;
    }
}
