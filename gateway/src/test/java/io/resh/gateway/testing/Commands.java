package io.resh.gateway.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line client with a bounded time, capturing its output. */
public final class Commands {
    /** Exit code and combined output. */
    public record Result(int exit, String output) {
    }

    private Commands() {
    }

    public static Result run(long timeoutSeconds, byte[] stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin);
            }
            p.getOutputStream().close();
            byte[] out = readAll(p, timeoutSeconds);
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    private static byte[] readAll(Process p, long timeoutSeconds) throws IOException, InterruptedException {
        List<byte[]> chunks = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                chunks.add(p.getInputStream().readAllBytes());
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(2000);
            throw new IOException("'" + String.join(" ", p.info().commandLine().orElse("command")) + "' did not finish within "
                    + timeoutSeconds + " s; output so far: " + (chunks.isEmpty() ? "" : new String(chunks.get(0))));
        }
        reader.join(5000);
        return chunks.isEmpty() ? new byte[0] : chunks.get(0);
    }
}
