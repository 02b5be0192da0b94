package io.resh.gateway.server;

import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayConfig.Ready;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One incarnation of one replica: an OS process running the configured server command on its own
 * loopback port, in its own fresh data directory, with stdout and stderr appended to the replica's
 * log file. Blocking methods are meant for the supervisor's worker threads, never the event loop.
 */
public final class ServerProcess {
    private final int slot;
    private final int incarnation;
    private final int port;
    private final Process process;
    private final Path logFile;
    private final List<String> command;
    private final Ready ready;
    /** Whether a connection to it ever succeeded: then a refused one is the server's doing, not the ready setting's. */
    private volatile boolean acceptedOnce;
    /** The checkpoint its data directory was given before it started, or null. */
    private CheckpointStore.Stored checkpoint;

    private ServerProcess(int slot, int incarnation, int port, Process process, Path logFile, List<String> command,
                          Ready ready) {
        this.slot = slot;
        this.incarnation = incarnation;
        this.port = port;
        this.process = process;
        this.logFile = logFile;
        this.command = command;
        this.ready = ready;
    }

    /**
     * Starts the server: picks a free port, substitutes {@code {port}}, {@code {replica}} and
     * {@code {dir}}, empties the data directory (a restarted replica must start from nothing, the
     * replay rebuilds its state) or gives it the files of checkpoint {@code seed}, and launches the command without a shell, set to be killed when the
     * calling thread ends (see {@link LaunchPrefix}): call it from a thread that lives as long as the gateway.
     */
    static ServerProcess start(int slot, int incarnation, List<String> template, GatewayConfig.Server server, Path dataDir,
                               Path logFile, boolean udp, CheckpointStore.Stored seed) throws IOException {
        int port = FreePorts.pick(udp);
        Directories.recreate(dataDir);
        Files.createDirectories(logFile.getParent());
        List<String> command = CommandLine.substitute(template, Map.of(
                "port", Integer.toString(port), "replica", Integer.toString(slot), "dir", dataDir.toString()));
        Files.writeString(logFile, INCARNATION_HEADER + slot + " incarnation " + incarnation + " at " + Instant.now()
                        + " port " + port + ": " + String.join(" ", command) + System.lineSeparator(),
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        // After the header: a checkpoint that fails its check must not be reported with the last words, in the
        // log, of the process this one replaces.
        CheckpointStore.seed(seed, dataDir);
        if (!LaunchPrefix.prefix().isEmpty()) {
            // Behind the prefix a missing program would only show as exit code 127; say what is wrong now.
            checkRunnable(command.get(0));
        }
        // Dies with the gateway; a terminal's Ctrl-C must reach the gateway alone.
        List<String> launched = new java.util.ArrayList<>(LaunchPrefix.prefix());
        launched.addAll(Isolation.prefix(server, slot, dataDir));
        launched.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(launched)
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + command.get(0) + "': " + e.getMessage(), e);
        }
        ServerProcess started = new ServerProcess(slot, incarnation, port, p, logFile, command, server.ready());
        started.checkpoint = seed;
        return started;
    }

    /** The request number of the checkpoint it was started from, or 0 if it started empty. */
    public long startedFrom() {
        return checkpoint == null ? 0 : checkpoint.sequence();
    }

    /** The checkpoint it was started from, or null if it started empty. */
    public CheckpointStore.Stored checkpoint() {
        return checkpoint;
    }

    private static void checkRunnable(String program) throws IOException {
        String problem = ServerPrograms.whyNotRunnable(program);
        if (problem != null) {
            throw new IOException(problem);
        }
    }

    /** A server that only starts slowly is told from a broken one by its log: the setting that waits is named. */
    private static final String READY_TIMEOUT_HINT = " (server.readyTimeout; raise it for a server that takes longer to start)";

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * Blocks until the server is ready: for {@link Ready#TCP} until 127.0.0.1:port accepts a
     * connection; for {@link Ready#UDP} until its UDP port is bound; for {@link Ready#NONE} at once.
     *
     * @throws IOException if the process exits first or the timeout passes; the message says which
     */
    void awaitReady(Ready ready, Duration timeout) throws IOException, InterruptedException {
        if (ready == Ready.NONE) {
            if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                throw new IOException("exited at once with code " + process.exitValue());
            }
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(exitDescription() + " before " + (ready == Ready.UDP ? "binding" : "accepting connections on")
                        + " port " + port);
            }
            if (ready == Ready.UDP) {
                if (UdpPorts.isBound(port)) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("did not bind UDP port " + port + " within " + timeout.toMillis() + " ms"
                            + READY_TIMEOUT_HINT);
                }
                Thread.sleep(20);
                continue;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("did not accept connections on port " + port + " within " + timeout.toMillis()
                            + " ms" + READY_TIMEOUT_HINT);
                }
            }
            // Polling a port is the only readiness signal an unmodified server gives.
            Thread.sleep(20);
        }
    }

    /**
     * Why the gateway's connection to this server failed, as a fault's evidence. With {@code ready: none} nothing
     * waited for the server to listen, so a refused connection means it was not listening yet: Netty's "Connection
     * refused: localhost/127.0.0.1:PORT" said nothing of the setting that waits. Once the server has accepted a
     * connection (stream mode connects for every client) the setting is no longer the likely cause.
     */
    public String connectFailure(Throwable cause) {
        if (ready == Ready.NONE && !acceptedOnce && cause instanceof java.net.ConnectException) {
            return "not accepting connections on " + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port
                    + " (server.ready: none connects at once; server.ready: tcp waits until the server accepts, up to"
                    + " server.readyTimeout)";
        }
        return "cannot connect to port " + port + ": " + cause.getMessage();
    }

    /** Notes that the gateway's connection to this server succeeded (see {@link #connectFailure}). */
    public void accepted() {
        acceptedOnce = true;
    }

    /** SIGKILLs the process and every descendant (a command may be a wrapper that forks the server). */
    public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Kills and waits (bounded) until the process is gone, so its port and files are free. */
    void killAndWait(Duration timeout) {
        kill();
        try {
            process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** "exited with code N" once the process ended, else "running". */
    public String exitDescription() {
        if (process.isAlive()) {
            return "running";
        }
        int code = process.exitValue();
        return code > 128 ? "was killed by signal " + (code - 128) : "exited with code " + code;
    }

    public long pid() {
        return process.pid();
    }

    public int port() {
        return port;
    }

    public int slot() {
        return slot;
    }

    public int incarnation() {
        return incarnation;
    }

    public List<String> command() {
        return command;
    }

    public Path logFile() {
        return logFile;
    }

    /** Where each incarnation's part of a log file starts. */
    private static final String INCARNATION_HEADER = "=== replica ";
    /** Most lines of a log {@link #reasonInLog} joins. */
    private static final int REASON_LINES = 4;

    /**
     * What the last incarnation wrote to its log before it failed, on one line: its last few lines that are
     * neither blank nor indented (stack frames, source quoted under a traceback), joined with " | ", or null
     * when it wrote nothing. Quoting the log's tail instead spread a start failure over a dozen lines, the
     * previous incarnation's copy of the same error included (redis: "*** FATAL CONFIG FILE ERROR … | >>>
     * 'nosuchoption "yes"' | Bad directive or wrong number of arguments").
     */
    public static String reasonInLog(Path logFile) {
        String text;
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 16384);
            byte[] buf = new byte[n];
            f.seek(len - n);
            f.readFully(buf);
            text = new String(buf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        java.util.ArrayDeque<String> said = new java.util.ArrayDeque<>();
        for (String line : text.split("\\R")) {
            if (line.startsWith(INCARNATION_HEADER)) {
                said.clear(); // an earlier incarnation's
            } else if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                said.addLast(line.strip());
                if (said.size() > REASON_LINES) {
                    said.removeFirst();
                }
            }
        }
        return said.isEmpty() ? null : String.join(" | ", said);
    }
}
