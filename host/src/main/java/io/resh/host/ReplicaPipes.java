package io.resh.host;

import io.resh.replica.Frame;
import io.resh.replica.ReplicaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up the two pipes between the host and a replica (its stdin, and the channel its frames come back on)
 * before the replica's command runs, through a one-line Perl program that then execs the command (same process,
 * same pid). Java has neither {@code fcntl} nor {@code dup2}; Perl is part of every Debian-based system
 * ({@code perl-base} is essential there). Two jobs:
 *
 * <p><b>The channel off fd 1.</b> The replica's stdout is duplicated to another descriptor, which the program
 * names in the environment ({@value ReplicaMain#CHANNEL_FD_VARIABLE}), and fd 1 then points at stderr, the
 * replica's log. Whatever writes on stdout without asking resh (the JVM's own output, native code, a child
 * process the service starts with its output inherited) lands in the log instead of among the frames, where
 * one line was read as a broken frame and the replica replaced. Without Perl the frames stay on fd 1, and only
 * the JVM options of {@link JvmOutput} keep HotSpot's output off them.
 *
 * <p><b>Capacity.</b> Both pipes are enlarged beyond Linux's default 64 KiB. With the default, a request or
 * reply near 64 KiB or larger does not fit: the writer fills the pipe, sleeps until the reader drained it, and is
 * woken for the rest, two more context switches per frame on each side (aes-64k: 20 % more CPU per TMR request,
 * 23 % less TMR throughput than with 1 MiB pipes, docs/BENCHMARKS.md). A pipe's pages are allocated as it fills,
 * so the capacity costs no memory while the pipe is empty. A size the kernel refuses (above
 * {@code /proc/sys/fs/pipe-max-size} for an unprivileged user, or beyond the user's pipe quota) leaves the default.
 * {@code -Dresh.replica.pipeBytes} sets the size (default 1 MiB, at most the system's maximum; 0 keeps the
 * default pipes). The program then reads back the capacity the request pipe got and leaves it in the environment
 * ({@value Frame.Hello#PIPE_BYTES_VARIABLE}); the replica reports it in its HELLO, and the group loop writes
 * batches itself as long as they provably fit ({@link ReplicaProcess}).
 */
final class ReplicaPipes {
    static final int DEFAULT_BYTES = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaPipes.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /**
     * Linux's F_SETPIPE_SZ is 1031 (F_LINUX_SPECIFIC_BASE + 7) on every architecture. {@code 0 +} makes the
     * size a number: Perl passes a string argument to fcntl as a pointer. Then the channel: {@code $^F} above
     * the new descriptor keeps Perl from marking it close-on-exec; if either step fails, nothing is named and
     * the frames stay on fd 1.
     */
    private static final String SCRIPT = "my $n = 0 + shift; if ($n) { fcntl(STDIN, 1031, $n); fcntl(STDOUT, 1031, $n);"
            // F_GETPIPE_SZ (1032): what the kernel gave, for the replica to report in its HELLO.
            + " my $got = fcntl(STDIN, 1032, 0); $ENV{" + Frame.Hello.PIPE_BYTES_VARIABLE + "} = 0 + $got if $got; }"
            + " $^F = 1023; if (open(my $channel, '>&', \\*STDOUT)) { if (open(STDOUT, '>&', \\*STDERR)) {"
            + " $ENV{" + ReplicaMain.CHANNEL_FD_VARIABLE + "} = fileno($channel); } }"
            + " exec {$ARGV[0]} @ARGV or die \"resh: cannot run $ARGV[0]: $!\\n\"";
    private static final String PERL = Binaries.which("perl").orElse(null);
    private static final int BYTES = bytes(PERL, (int) TuningProperty.number("resh.replica.pipeBytes", DEFAULT_BYTES, 0, 1 << 30),
            systemMaximum());

    private ReplicaPipes() {
    }

    /**
     * Says once per JVM, as a group starts, what replicas lose where Perl is missing: without a word, a replica
     * whose service (or a library of it) writes on stdout was replaced for a broken frame, again and again.
     */
    static void warnIfPerlMissing() {
        perlMissing(PERL).ifPresent(why -> {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn(why);
            }
        });
    }

    /** The warning for a host without Perl ({@code perl} null), or empty. */
    static Optional<String> perlMissing(String perl) {
        return perl != null ? Optional.empty() : Optional.of("perl is not on the PATH, so replicas run without the"
                + " launcher that sets up their pipes: anything a replica writes on its stdout (a library's print,"
                + " a child process) is read as a broken frame and the replica replaced, its pipes keep the"
                + " kernel's 64 KiB (large requests cost more), and it shares the host's process group (a Ctrl-C"
                + " reaches it directly); apt-get install perl-base");
    }

    /** What goes before the replica's command (empty without Perl). */
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
        return perl == null ? List.of() : List.of(perl, "-e", SCRIPT, "--", Integer.toString(bytes));
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
