package io.resh.host;

import java.util.List;

/**
 * Starts a replica in a process group of its own, so that only the host hears its terminal. Ctrl-C, Ctrl-\ and a
 * closed terminal signal the whole foreground process group: replicas in the host's group got that signal at the
 * moment the host began to stop them, and a death the group loop saw first was a crash. In their own group they
 * are stopped by the host's shutdown, as after a {@code kill} of the host alone.
 *
 * <p>A process group, not a session ({@code setsid}): with the kernel's autogroup scheduling (on by default in
 * Debian), every session is scheduled as one unit, so a replica in a session of its own got as much CPU as the
 * host's every thread together, and a replacement's catch-up priority ({@link CatchUpPriority}: nice, then
 * {@code SCHED_IDLE}) no longer held it back behind the serving replicas (kv-small at half of peak: TMR p99 15-20
 * ms against 4 ms; recovery p99 8x steady against 5x). Java cannot set a child's process group, and util-linux has
 * no command for it, so a one-line Perl program does it and execs the rest of the command (same process, same
 * pid). Without Perl the prefix is empty and replicas share the host's group, as before. A
 * replica still goes when the host is killed with {@code kill -9}: it exits at the end of its stdin.
 */
final class OwnProcessGroup {
    private static final String SCRIPT = "setpgrp(0, 0); exec {$ARGV[0]} @ARGV or die \"resh: cannot run $ARGV[0]: $!\\n\"";
    private static final List<String> PREFIX = detect();

    private OwnProcessGroup() {
    }

    /** What goes before the replica's command, or nothing without Perl. */
    static List<String> prefix() {
        return PREFIX;
    }

    /**
     * Perl's {@code setpgrp} cannot fail for a child of the JVM (it is no session leader), and a failure would not
     * stop the {@code exec} anyway: unlike a binary that may refuse, there is nothing to probe.
     */
    private static List<String> detect() {
        return Binaries.which("perl").map(perl -> List.of(perl, "-e", SCRIPT, "--")).orElse(List.of());
    }
}
