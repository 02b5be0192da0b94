package io.resh.gateway.testing;

import io.resh.gateway.server.FreePorts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny TCP shim run as its own process in front of a real server: it starts the server command
 * (with {@code {inner}} replaced by a free port), accepts connections on the given port, and copies
 * bytes both ways. A half-close is passed on (the server still answers what it was sent before its
 * client's EOF, and the shim delivers all of it), so the shim never cuts a reply short by itself.
 *
 * <p>Four files drive its faults:
 * <ul>
 *   <li>{@code TRIGGER}: when it exists, the next server-to-client chunk has the lowest bit of its
 *   third-last byte flipped (so {@code $7\r\nvalue-0\r\n} becomes {@code $7\r\nvalue-1\r\n}) and the
 *   file is deleted: one corrupted reply per trigger, from a server that computed the right one.</li>
 *   <li>{@code TRIGGER.hold}: while it exists, server-to-client bytes are held back, not sent; once it
 *   is deleted they go out in order (checked at each chunk, and by polling once the server has ended
 *   its side). A replica that lags on cue.</li>
 *   <li>{@code TRIGGER.tail}: when it exists as the server ends the stream of a connection it
 *   answered (not a readiness probe's, which gets no reply), its content is sent after the server's
 *   bytes, {@value #TAIL_PAUSE_MILLIS} ms later (so that it reaches the peer in a later read than
 *   they), before the shim ends its side; the file is deleted. A server that keeps writing after
 *   its stream should have ended.</li>
 *   <li>{@code TRIGGER.linger}: when it exists as the server ends the stream of a connection it answered,
 *   the shim sends everything but does not end its side: the connection stays open until the shim
 *   exits. A server that never ends a stream the others ended.</li>
 * </ul>
 *
 * <pre>java -cp ... FlipShim PORT TRIGGER_FILE server-command args... {inner} ...</pre>
 */
public final class FlipShim {
    /** How long a connection's held bytes wait for their release after the server ended, at most. */
    private static final long HOLD_LIMIT_NANOS = 30_000_000_000L;
    static final long TAIL_PAUSE_MILLIS = 200;

    private FlipShim() {
    }

    /** The file whose presence holds back replies, next to {@code trigger}. */
    public static Path holdFile(Path trigger) {
        return trigger.resolveSibling(trigger.getFileName() + ".hold");
    }

    /** The file whose content is appended after the server's end of stream, next to {@code trigger}. */
    public static Path tailFile(Path trigger) {
        return trigger.resolveSibling(trigger.getFileName() + ".tail");
    }

    /** The file whose presence keeps a connection open after the server ended it, next to {@code trigger}. */
    public static Path lingerFile(Path trigger) {
        return trigger.resolveSibling(trigger.getFileName() + ".linger");
    }

    /**
     * {@code setpriv --pdeathsig KILL} where available: the gateway kills this shim with SIGKILL, which runs
     * no shutdown hook, and the server it started would otherwise run on after the test with its port.
     * The main thread starts the server and lives as long as the shim, as the signal requires.
     */
    private static List<String> dieWithShim() {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
            java.io.File setpriv = new java.io.File(dir, "setpriv");
            if (setpriv.canExecute()) {
                return List.of(setpriv.getPath(), "--pdeathsig", "KILL");
            }
        }
        return List.of();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path trigger = Path.of(args[1]);
        int inner;
        inner = FreePorts.pick();
        List<String> command = new ArrayList<>(dieWithShim());
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
                Link link = new Link(client, upstream);
                Thread up = new Thread(link::requests);
                Thread down = new Thread(() -> link.replies(trigger));
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

    /** One client connection and its connection to the inner server; closed once both directions ended. */
    private static final class Link {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger openDirections = new AtomicInteger(2);

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        /** Client to server, unchanged; the client's EOF becomes the server's. */
        void requests() {
            try {
                InputStream in = client.getInputStream();
                OutputStream out = upstream.getOutputStream();
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                upstream.shutdownOutput();
                directionEnded();
            } catch (IOException e) {
                abort();
            }
        }

        /** Server to client, with the faults the files ask for; the server's EOF becomes the client's. */
        void replies(Path trigger) {
            Path hold = holdFile(trigger);
            try {
                InputStream in = upstream.getInputStream();
                OutputStream out = client.getOutputStream();
                ByteArrayOutputStream held = new ByteArrayOutputStream();
                byte[] buf = new byte[65536];
                long replied = 0;
                int n;
                while ((n = in.read(buf)) > 0) {
                    replied += n;
                    // Deleting is the atomic test-and-consume: one flip per trigger, whichever connection.
                    if (n >= 3 && Files.deleteIfExists(trigger)) {
                        buf[n - 3] ^= 1;
                    }
                    held.write(buf, 0, n);
                    if (!Files.exists(hold)) {
                        send(held, out);
                    }
                }
                long deadline = System.nanoTime() + HOLD_LIMIT_NANOS;
                while (held.size() > 0 && Files.exists(hold) && System.nanoTime() < deadline) {
                    Thread.sleep(5); // polling a file for a test's cue; this is a test tool, not a test
                }
                send(held, out);
                if (replied > 0) {
                    appendTail(tailFile(trigger), out);
                    if (Files.exists(lingerFile(trigger))) {
                        return; // neither this side's end nor a close: the peer waits for an end that never comes
                    }
                }
                client.shutdownOutput();
                directionEnded();
            } catch (IOException e) {
                abort();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
            }
        }

        private static void appendTail(Path tail, OutputStream out) throws IOException, InterruptedException {
            byte[] extra;
            try {
                extra = Files.readAllBytes(tail);
            } catch (NoSuchFileException e) {
                return;
            }
            // Deleting is the test-and-consume, as for the trigger: one tail per file, whichever connection.
            if (!Files.deleteIfExists(tail)) {
                return;
            }
            // A pause, not a wait for a condition: the peer should get the server's bytes in one read and
            // the tail in a later one, as from a server that went on writing.
            Thread.sleep(TAIL_PAUSE_MILLIS);
            out.write(extra);
            out.flush();
        }

        private static void send(ByteArrayOutputStream held, OutputStream out) throws IOException {
            if (held.size() > 0) {
                held.writeTo(out);
                out.flush();
                held.reset();
            }
        }

        private void directionEnded() {
            if (openDirections.decrementAndGet() == 0) {
                abort();
            }
        }

        private void abort() {
            close(client);
            close(upstream);
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
