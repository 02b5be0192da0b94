package io.resh.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What goes before a replica's command so that resh alone decides when it ends (util-linux's {@code setpriv}
 * and Perl; each part is left out where it is missing or does not work here, and the replica then starts without it):
 * <ul>
 *   <li>{@code setpriv --pdeathsig KILL}: the replica is killed when resh dies, even by {@code kill -9} (an
 *       OOM kill, a CI runner's SIGKILL), which gives resh no chance to kill it. The kernel sends the signal
 *       when the <em>thread</em> that started the replica ends, so replicas are started from the thread that
 *       runs the whole attempt and waits for them. What the replica itself started does not inherit it.</li>
 *   <li>a process group of its own (a one-line Perl program: Java cannot set a child's process group, and
 *       util-linux has no command for it), so that only resh hears its terminal. Ctrl-C, Ctrl-\ and a closed
 *       terminal signal the whole foreground process group: replicas in resh's group died of (or trapped) that
 *       signal themselves, at the moment resh began to kill them. In their own group resh's exit kills each
 *       replica with everything it spawned (found by {@link ReplicaMark}, which a new group does not change).
 *       A replica is then in a background group of the terminal: a program that reads {@code /dev/tty} is
 *       stopped. It is also out of reach of a kill of resh's process group, hence the signal above. Not a
 *       session of its own ({@code setsid}): with the kernel's autogroup scheduling every session is scheduled
 *       as one unit, so each replica would get as much CPU as resh's every thread together.</li>
 * </ul>
 * Both exec the rest of the command in the same process, so the replica's pid and its process tree stay
 * as they were.
 */
final class LaunchPrefix {
    private static final String OWN_GROUP = "setpgrp(0, 0); exec {$ARGV[0]} @ARGV or die \"resh: cannot run $ARGV[0]: $!\\n\"";
    private static final Detected DETECTED = detect();

    /** The prefix that works here, and why replicas do not die with resh ({@code parentDeathMissing}), or null. */
    private record Detected(List<String> prefix, String parentDeathMissing) {
    }

    private LaunchPrefix() {
    }

    /** {@code command} behind the prefix, or unchanged where none works. */
    static List<String> wrap(List<String> command) {
        if (DETECTED.prefix().isEmpty()) {
            return command;
        }
        List<String> argv = new ArrayList<>(DETECTED.prefix());
        argv.addAll(command);
        return List.copyOf(argv);
    }

    private static Detected detect() {
        List<String> prefix = new ArrayList<>();
        String parentDeathMissing = null;
        Optional<Path> setpriv = ProgramPath.find("setpriv");
        Optional<List<String>> parentDeath = setpriv.map(p -> List.of(p.toString(), "--pdeathsig", "KILL"));
        if (parentDeath.isPresent() && works(parentDeath.get())) {
            prefix.addAll(parentDeath.get());
        } else {
            parentDeathMissing = setpriv.isEmpty() ? "setpriv is not on the PATH"
                    : setpriv.get() + " --pdeathsig KILL does not work here";
        }
        // setpgrp cannot fail for a child of the JVM (it is no session leader): nothing to probe, unlike setpriv.
        ProgramPath.find("perl").map(p -> List.of(p.toString(), "-e", OWN_GROUP, "--")).ifPresent(prefix::addAll);
        return new Detected(List.copyOf(prefix), parentDeathMissing);
    }

    /**
     * What resh should warn of before it starts replicas, in one line: that they outlive a {@code kill -9} of resh,
     * why, and how to have them die with it; empty where they die with it.
     */
    static Optional<String> parentDeathMissing() {
        return Optional.ofNullable(DETECTED.parentDeathMissing()).map(LaunchPrefix::parentDeathWarning);
    }

    static String parentDeathWarning(String why) {
        return why + ", so the replicas will not die with resh: killed with kill -9 (an OOM kill, a CI runner's"
                + " SIGKILL), it leaves them running until they finish; apt-get install util-linux (for setpriv"
                + " --pdeathsig) to have them die with it";
    }

    /** A part that refused would fail every replica instead (exit code 1, blamed on the command). */
    private static boolean works(List<String> part) {
        List<String> probe = new ArrayList<>(part);
        probe.add("true");
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
