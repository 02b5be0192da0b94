package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes on its process's stdout behind resh's back: {@code child:TEXT} starts a child process that inherits
 * stdout and prints TEXT there, {@code fd1:TEXT} writes TEXT straight to file descriptor 1 (as native code
 * would). Either answers {@code done}. Stateless.
 */
public final class StdoutWritingService implements ReplicatedService {
    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) throws Exception {
        String r = new String(request, StandardCharsets.UTF_8);
        if (r.startsWith("child:")) {
            Process p = new ProcessBuilder("printf", "%s\\n", r.substring(6))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectErrorStream(false).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("printf exited with " + p.exitValue());
            }
        } else if (r.startsWith("fd1:")) {
            @SuppressWarnings("resource") // fd 1 itself: closing it would close the process's stdout
            FileOutputStream fd1 = new FileOutputStream(FileDescriptor.out);
            fd1.write((r.substring(4) + "\n").getBytes(StandardCharsets.UTF_8));
            fd1.flush();
        } else {
            throw new IllegalArgumentException("unknown request: " + r);
        }
        return "done".getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
    }

    @Override
    public void restore(InputStream in) throws IOException {
    }
}
