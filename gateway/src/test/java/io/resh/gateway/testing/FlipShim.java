package io.resh.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tiny TCP shim run as its own process in front of a real server: it starts the server command
 * (with {@code {inner}} replaced by a free port), accepts connections on the given port, and copies
 * bytes both ways. While the trigger file exists, it flips the lowest bit of the last payload byte of
 * the next server-to-client chunk (so {@code :5\r\n} becomes {@code :4\r\n}) and deletes the file:
 * one corrupted reply per trigger, from a server that computed the right one.
 *
 * <pre>java -cp ... FlipShim PORT TRIGGER_FILE server-command args... {inner} ...</pre>
 */
public final class FlipShim {
    private FlipShim() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path trigger = Path.of(args[1]);
        int inner;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            inner = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        for (String a : Arrays.copyOfRange(args, 2, args.length)) {
            command.add(a.replace("{inner}", Integer.toString(inner)));
        }
        Process server = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::destroyForcibly));
        // Listen only once the inner server accepts: the gateway's readiness probe then means what it
        // says, and a server that failed to start fails this process's start instead of a later request.
        connect(inner, server).close();
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            while (server.isAlive()) {
                Socket client = listener.accept();
                Socket upstream;
                try {
                    upstream = connect(inner, server);
                } catch (IOException e) {
                    System.err.println("FlipShim: cannot reach the inner server on port " + inner + ": " + e.getMessage());
                    client.close();
                    continue;
                }
                Thread up = new Thread(() -> copy(client, upstream, null));
                Thread down = new Thread(() -> copy(upstream, client, trigger));
                up.setDaemon(true);
                down.setDaemon(true);
                up.start();
                down.start();
            }
        }
    }

    private static Socket connect(int port, Process server) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
                s.setTcpNoDelay(true);
                return s;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    throw e;
                }
                Thread.sleep(20); // the inner server is still starting; this is a test tool, not a test
            }
        }
    }

    private static void copy(Socket from, Socket to, Path trigger) {
        byte[] buf = new byte[65536];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (trigger != null && n >= 3 && Files.exists(trigger)) {
                    Files.deleteIfExists(trigger);
                    buf[n - 3] ^= 1;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // either side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
