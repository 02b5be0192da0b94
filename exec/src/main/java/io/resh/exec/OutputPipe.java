package io.resh.exec;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One replica's stdout or stderr, through a named pipe that resh opens for reading before the replica starts.
 *
 * <p>Not the JDK's process pipe: when a process exits, the JDK drains what that pipe holds at the moment and
 * closes it, so whatever a child left behind ({@code (sleep 1; echo late) &}) writes afterwards is lost, and
 * whether the drain comes before or after the reader's first read is down to thread scheduling. A pipe resh
 * owns ends only when every process holding its write end (the replica's whole tree, daemons included) has
 * closed it, which is what "the stream ended" has to mean for a vote.
 *
 * <p>Opening a named pipe blocks until the other end is open too. Nothing here waits: the pipe is first
 * opened for reading and writing at once (which Linux never blocks), so that opening the read end and the
 * replica's write end find a peer; once the replica started, that extra end is closed, so the end of the
 * stream is up to the replica's processes alone. If the replica does not start, everything is closed.
 * The pipe's name is removed once the replica holds it: nothing else can open it, and nothing is left behind.
 */
final class OutputPipe implements AutoCloseable {
    private static final long MKFIFO_TIMEOUT_SECONDS = 10;

    private final Path path;
    private final RandomAccessFile peer;
    private final FileInputStream in;
    private boolean handedOver;

    private OutputPipe(Path path, RandomAccessFile peer, FileInputStream in) {
        this.path = path;
        this.peer = peer;
        this.in = in;
    }

    /**
     * Creates named pipes (readable and writable by this user only) at {@code paths}.
     * Java has no call for it, so this runs {@code mkfifo} once for all of them.
     *
     * @throws ExecSetupException if they could not be created
     */
    static void create(List<Path> paths) {
        if (paths.isEmpty()) {
            return;
        }
        if (ProgramPath.find("mkfifo").isEmpty()) {
            // Else the JVM's "Cannot run program "mkfifo": error=2, No such file or directory".
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot create the pipes that read the replicas'"
                    + " output: mkfifo is not on the PATH; install it with 'apt-get install coreutils'");
        }
        List<String> argv = new ArrayList<>(List.of("mkfifo", "-m", "600", "--"));
        paths.forEach(p -> argv.add(p.toString()));
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot create the pipes that read the replicas'"
                    + " output: mkfifo (from coreutils) cannot be run: " + e.getMessage(), e);
        }
        try {
            String output = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(MKFIFO_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot create the pipes that read the"
                        + " replicas' output: mkfifo did not finish within " + MKFIFO_TIMEOUT_SECONDS + "s");
            }
            if (p.exitValue() != 0) {
                String first = output.isEmpty() ? "exit " + p.exitValue() : output.lines().findFirst().orElse("");
                throw new ExecSetupException(ExitCodes.SETUP_FAILED,
                        "cannot create the pipes that read the replicas' output: " + first);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new ExecSetupException(ExitCodes.SETUP_FAILED,
                    "cannot create the pipes that read the replicas' output: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExecSetupException(ExitCodes.SETUP_FAILED,
                    "interrupted while creating the pipes that read the replicas' output", e);
        }
    }

    /** Opens the named pipe at {@code path} (see {@link #create}) for reading, without waiting for a writer. */
    static OutputPipe open(Path path) throws IOException {
        // Read and write at once: never blocks on Linux, and gives the read end below a writer to find.
        RandomAccessFile peer = new RandomAccessFile(path.toFile(), "rw");
        try {
            return new OutputPipe(path, peer, new FileInputStream(path.toFile()));
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    /** How the replica's process gets the write end; opening it does not block, since the read end is open. */
    ProcessBuilder.Redirect redirect() {
        return ProcessBuilder.Redirect.to(path.toFile());
    }

    /**
     * The replica started and holds the write end: from now on the stream ends when its processes close it.
     *
     * @return the read end, which the caller now owns
     */
    InputStream started() {
        handedOver = true;
        close();
        return in;
    }

    /** Closes what resh still holds (all of it, unless {@link #started()} handed the read end over). */
    @Override
    public void close() {
        try {
            peer.close();
        } catch (IOException e) {
            // Nothing was written through it; there is nothing to lose.
        }
        if (!handedOver) {
            try {
                in.close();
            } catch (IOException e) {
                // As above.
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // The work root is deleted after the run anyway.
        }
    }
}
