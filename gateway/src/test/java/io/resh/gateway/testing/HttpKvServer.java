package io.resh.gateway.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small stateful HTTP/1.1 server on the JDK's built-in HttpServer, run as its own process:
 * {@code PUT /kv/K} stores the body, {@code GET /kv/K} returns it (404 if absent), {@code POST /counter}
 * increments and returns a counter, {@code GET /big?n=N} streams N bytes chunked, {@code GET /exit} ends
 * the process at once with exit code 3, answering nothing (a read that crashes the server), {@code GET /spin}
 * never answers: the server's one request thread waits forever, so the process lives on and answers nothing
 * more (a read that hangs the server). While the optional
 * trigger file exists, the next response body is corrupted and the file deleted.
 *
 * <pre>java -cp ... HttpKvServer PORT [TRIGGER_FILE]</pre>
 */
public final class HttpKvServer {
    private final Map<String, byte[]> data = new ConcurrentHashMap<>();
    private long counter;
    private final Path trigger;

    private HttpKvServer(Path trigger) {
        this.trigger = trigger;
    }

    public static void main(String[] args) throws Exception {
        HttpKvServer kv = new HttpKvServer(args.length > 1 ? Path.of(args[1]) : null);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])), 100);
        server.createContext("/", kv::handle);
        server.start();
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        byte[] body = ex.getRequestBody().readAllBytes();
        if (path.equals("/exit")) {
            Runtime.getRuntime().halt(3);
        }
        if (path.equals("/spin")) {
            hangForever();
        }
        if (path.startsWith("/kv/") && method.equals("PUT")) {
            data.put(path.substring(4), body);
            send(ex, 200, "stored".getBytes(StandardCharsets.UTF_8), false);
        } else if (path.startsWith("/kv/") && method.equals("GET")) {
            byte[] v = data.get(path.substring(4));
            send(ex, v == null ? 404 : 200, v == null ? "absent".getBytes(StandardCharsets.UTF_8) : v, false);
        } else if (path.equals("/counter") && method.equals("POST")) {
            send(ex, 200, Long.toString(++counter).getBytes(StandardCharsets.UTF_8), false);
        } else if (path.equals("/big")) {
            int n = Integer.parseInt(ex.getRequestURI().getQuery().substring(2));
            byte[] big = new byte[n];
            for (int i = 0; i < n; i++) {
                big[i] = (byte) ('a' + i % 26);
            }
            send(ex, 200, big, true);
        } else {
            send(ex, 404, "no such resource".getBytes(StandardCharsets.UTF_8), false);
        }
    }

    private void send(HttpExchange ex, int status, byte[] body, boolean chunked) throws IOException {
        if (trigger != null && Files.exists(trigger) && body.length > 0) {
            Files.deleteIfExists(trigger);
            body = body.clone();
            body[body.length - 1] ^= 1;
        }
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(status, chunked ? 0 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void hangForever() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // still hung
            }
        }
    }
}
