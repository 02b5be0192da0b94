package io.resh.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster host in its own JVM ({@link TestHostMain}) with the test class path. {@link #kill()} is a real
 * kill -9 of the host and its replica processes at once, as a power loss would do.
 */
final class HostProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String id;
    private final Process process;
    private final Writer stdin;
    private final Path log;
    private final Map<String, CompletableFuture<String>> answers = new ConcurrentHashMap<>();
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final AtomicLong tags = new AtomicLong();

    private HostProcess(String id, Process process, Path log) {
        this.id = id;
        this.process = process;
        this.log = log;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "host-" + id + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    static HostProcess start(Path config, String id, Path logDir, boolean join) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(id + "-" + System.nanoTime() + ".log");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                    System.getProperty("java.class.path"), TestHostMain.class.getName(), config.toString(), id));
            if (join) {
                cmd.add("--join");
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            return new HostProcess(id, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start host " + id, e);
        }
    }

    private void readAnswers() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                out.write(line.length() > 2000 ? line.substring(0, 2000) + "..." : line);
                out.write('\n');
                out.flush();
                if (line.startsWith("READY")) {
                    ready.complete(line);
                    continue;
                }
                int sp = line.indexOf(' ');
                if (sp > 0) {
                    CompletableFuture<String> f = answers.remove(line.substring(0, sp));
                    if (f != null) {
                        f.complete(line.substring(sp + 1));
                    }
                }
            }
        } catch (IOException e) {
            // the process died; waiting callers time out with its log quoted
        }
        ready.completeExceptionally(new IllegalStateException("host " + id + " exited; log:\n" + tail()));
    }

    String id() {
        return id;
    }

    HostProcess awaitReady(Duration timeout) {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return this;
        } catch (Exception e) {
            throw new IllegalStateException("host " + id + " not ready within " + timeout + ": " + e + "\n" + tail(), e);
        }
    }

    /** Sends a command; returns the payload of an OK answer, throws on ERR or timeout. */
    String command(String command, Duration timeout) {
        String tag = "c" + tags.incrementAndGet();
        CompletableFuture<String> f = new CompletableFuture<>();
        answers.put(tag, f);
        try {
            synchronized (stdin) {
                stdin.write(tag + " " + command + "\n");
                stdin.flush();
            }
            String a = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!a.startsWith("OK ")) {
                throw new IllegalStateException("host " + id + " " + command + ": " + a);
            }
            return a.substring(3);
        } catch (Exception e) {
            answers.remove(tag);
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            dumpThreads();
            throw new IllegalStateException("host " + id + " did not answer '" + command + "': " + e, e);
        }
    }

    JsonNode status() {
        try {
            return JSON.readTree(command("status", Duration.ofSeconds(20)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A process handle of each replica of this host, as seen now. */
    List<ProcessHandle> replicas() {
        return process.descendants().toList();
    }

    /** The host JVM's process id, to pause it (SIGSTOP) and resume it. */
    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** kill -9 of the host and all its replicas. */
    void kill() {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            c.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> null).join();
        }
    }

    /** Appends a thread dump of the host JVM to its log, to see where it is stuck. */
    void dumpThreads() {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "Thread.print")
                    .redirectOutput(log.resolveSibling(log.getFileName() + ".threads").toFile()).redirectErrorStream(true).start();
            jcmd.waitFor(20, TimeUnit.SECONDS);
            jcmd.destroyForcibly();
        } catch (IOException e) {
            // best effort: a dump is a diagnostic
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log " + log + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive() || process.descendants().findAny().isPresent()) {
            kill();
        }
    }
}
