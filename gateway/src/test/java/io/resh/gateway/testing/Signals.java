package io.resh.gateway.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Sends real POSIX signals to processes (SIGSTOP and SIGCONT have no Java API). */
public final class Signals {
    private Signals() {
    }

    /**
     * Sends {@code signal} to {@code pid}. SIGSTOP returns only once every thread of the process is stopped:
     * {@code kill} returns when the signal is queued, and a server that is running meanwhile could still answer
     * a request the test sends right after, "stopped".
     */
    public static void send(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
        if (signal.equals("STOP")) {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> threadStates(pid).stream().allMatch(s -> s == 'T' || s == 't' || s == 'X' || s == 'Z'));
        }
    }

    /** The state letter of each thread of {@code pid} (none once it is gone). */
    private static List<Character> threadStates(long pid) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (Stream<Path> threads = Files.list(tasks)) {
            return threads.map(Signals::state).filter(c -> c != 0).toList();
        } catch (NoSuchFileException gone) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static char state(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            int close = stat.lastIndexOf(')'); // the command name may contain spaces and parentheses
            return stat.charAt(close + 2);
        } catch (IOException exited) {
            return 0; // the thread ended meanwhile
        }
    }
}
