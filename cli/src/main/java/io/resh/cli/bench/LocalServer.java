package io.resh.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An external server process (redis-server, haproxy) listening on a loopback port; its output goes to
 * a log file that is quoted when it fails to come up. Closing it kills the process.
 */
final class LocalServer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private LocalServer(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code command} and waits up to 10 s until {@code port} on 127.0.0.1 accepts connections. */
    static LocalServer start(String name, List<String> command, int port, Path workDir) {
        Path log = workDir.resolve(name + ".log");
        Process p;
        try {
            p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
        LocalServer server = new LocalServer(name, p, port, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                break;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return server;
            } catch (IOException notYet) {
                sleepBriefly();
            }
        }
        server.close();
        throw new IllegalStateException(name + " did not accept connections on 127.0.0.1:" + port + " within 10 s; its log:\n"
                + tail(log));
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    String name() {
        return name;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20); // waiting for an external process to bind its port
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines of a log file, for error messages. */
    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
