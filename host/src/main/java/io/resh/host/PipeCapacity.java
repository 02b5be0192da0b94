package io.resh.host;

import io.resh.replica.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Enlarges the two pipes between the host and a replica (its stdin and stdout) beyond Linux's default
 * 64 KiB. With the default, a request or reply near 64 KiB or larger does not fit: the writer fills the
 * pipe, sleeps until the reader drained it, and is woken for the rest, two more context switches per
 * frame on each side (aes-64k: 20 % more CPU per TMR request, 23 % less TMR throughput than with 1 MiB
 * pipes, docs/BENCHMARKS.md). A pipe's pages are allocated as it fills, so the capacity costs no memory
 * while the pipe is empty.
 *
 * <p>Java has no {@code fcntl}, so the replica is started through a one-line Perl program that sets
 * {@code F_SETPIPE_SZ} on its stdin and stdout and then execs the rest of the command (same process,
 * same pid). Perl is part of every Debian-based system ({@code perl-base} is essential there); without
 * it the pipes keep the default. A size the kernel refuses (above {@code /proc/sys/fs/pipe-max-size} for
 * an unprivileged user, or beyond the user's pipe quota) leaves the default too.
 * {@code -Dresh.replica.pipeBytes} sets the size (default 1 MiB, at most the system's maximum; 0 keeps
 * the default pipes).
 *
 * <p>The program then reads back the capacity the request pipe got and leaves it in the environment
 * ({@value Frame.Hello#PIPE_BYTES_VARIABLE}); the replica reports it in its HELLO, and the group loop writes
 * batches itself as long as they provably fit ({@link ReplicaProcess}).
 */
final class PipeCapacity {
    static final int DEFAULT_BYTES = 1 << 20;
    /**
     * Linux's F_SETPIPE_SZ is 1031 (F_LINUX_SPECIFIC_BASE + 7) on every architecture. {@code 0 +} makes the
     * size a number: Perl passes a string argument to fcntl as a pointer.
     */
    private static final String SCRIPT = "my $n = 0 + shift; fcntl(STDIN, 1031, $n); fcntl(STDOUT, 1031, $n);"
            // F_GETPIPE_SZ (1032): what the kernel gave, for the replica to report in its HELLO.
            + " my $got = fcntl(STDIN, 1032, 0); $ENV{" + Frame.Hello.PIPE_BYTES_VARIABLE + "} = 0 + $got if $got;"
            + " exec {$ARGV[0]} @ARGV or die \"resh: cannot run $ARGV[0]: $!\\n\"";
    private static final String PERL = Binaries.which("perl").orElse(null);
    private static final int BYTES = bytes(PERL, (int) TuningProperty.number("resh.replica.pipeBytes", DEFAULT_BYTES, 0, 1 << 30),
            systemMaximum());

    private PipeCapacity() {
    }

    /** What goes before the replica's command (empty when the pipes keep the default size). */
    static List<String> prefix() {
        return prefix(PERL, BYTES);
    }

    /** The capacity the replica pipes get, or 0 for the kernel's default. */
    static int bytes() {
        return BYTES;
    }

    static List<String> prefix(String perl, int wanted, int systemMaximum) {
        return prefix(perl, bytes(perl, wanted, systemMaximum));
    }

    private static List<String> prefix(String perl, int bytes) {
        return bytes == 0 ? List.of() : List.of(perl, "-e", SCRIPT, "--", Integer.toString(bytes));
    }

    /** {@code wanted}, at most the system's maximum; 0 without Perl or at no more than the default. */
    private static int bytes(String perl, int wanted, int systemMaximum) {
        int bytes = systemMaximum > 0 ? Math.min(wanted, systemMaximum) : wanted;
        return perl == null || bytes <= 64 * 1024 ? 0 : bytes;
    }

    private static int systemMaximum() {
        try {
            // Not Files.readString: procfs reports a size of 0, and a sized read of a sysctl stops after a byte.
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/fs/pipe-max-size")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux, or not readable: the kernel refuses what it cannot give
        }
    }
}
