package io.resh.gateway.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What goes before a server's command so that the gateway alone decides when it ends (util-linux's
 * {@code setpriv} and Perl; each part is left out where it is missing or does not work here, and the server then
 * starts without it):
 * <ul>
 *   <li>{@code setpriv --pdeathsig KILL}: the server dies with the gateway. Without it, a gateway killed with
 *       {@code kill -9} would leave its servers running, holding their ports; the gateway warns of that at start
 *       ({@link #parentDeathMissing}). The kernel sends the signal when the <em>thread</em> that started the
 *       process ends, not the process; servers must therefore be started from a thread that lives as long as
 *       the gateway.</li>
 *   <li>a process group of its own (a one-line Perl program: Java cannot set a child's process group, and
 *       util-linux has no command for it). Ctrl-C, Ctrl-\ and a closed terminal signal the whole foreground
 *       process group: servers in the gateway's group got the signal at the moment the gateway began to stop
 *       them, and some act on it themselves (redis-server shuts down on SIGINT). In their own group only the
 *       gateway hears the terminal, and its shutdown stops them. Not a session of their own ({@code setsid}):
 *       with the kernel's autogroup scheduling every session is scheduled as one unit, so each server would
 *       get as much CPU as the gateway's every thread together.</li>
 * </ul>
 * Both exec the server in the same process, so the pid stays the server's, and the parent-death signal set
 * first is kept.
 */
final class LaunchPrefix {
    private static final String OWN_GROUP = "setpgrp(0, 0); exec {$ARGV[0]} @ARGV or die \"resh: cannot run $ARGV[0]: $!\\n\"";
    private static final ParentDeath PARENT_DEATH = ParentDeath.detect();
    private static final List<String> PREFIX = detect();

    private LaunchPrefix() {
    }

    /** The prefix to put before a server command; empty where neither part works. */
    static List<String> prefix() {
        return PREFIX;
    }

    /** True where servers die with the gateway's starting thread. */
    static boolean parentDeathSignal() {
        return PARENT_DEATH.unavailable() == null;
    }

    /**
     * What a gateway started here should warn of, in one line: that its servers outlive a {@code kill -9} of it, why,
     * and how to have them die with it; empty where they do die with it.
     */
    static Optional<String> parentDeathMissing() {
        return Optional.ofNullable(PARENT_DEATH.unavailable()).map(why -> why + ", so the servers will not die with"
                + " this process: killed with kill -9, it leaves them running and holding their ports until they are"
                + " killed by hand; apt-get install util-linux (for setpriv --pdeathsig) to have them die with it");
    }

    private static List<String> detect() {
        List<String> prefix = new ArrayList<>(PARENT_DEATH.prefix());
        // setpgrp cannot fail for a child of the JVM (it is no session leader): nothing to probe, unlike setpriv.
        OnPath.find("perl").map(p -> List.of(p, "-e", OWN_GROUP, "--")).ifPresent(prefix::addAll);
        return List.copyOf(prefix);
    }

    /**
     * The parent-death part of the prefix where it works here; otherwise none, and why ({@code unavailable}): setpriv
     * is not installed, or it refused (a setpriv too old for {@code --pdeathsig}, a sandbox that forbids it).
     */
    private record ParentDeath(List<String> prefix, String unavailable) {
        static ParentDeath detect() {
            Optional<String> setpriv = OnPath.find("setpriv");
            if (setpriv.isEmpty()) {
                return new ParentDeath(List.of(), "setpriv is not on the PATH");
            }
            List<String> part = List.of(setpriv.get(), "--pdeathsig", "KILL");
            String failure = failure(part);
            return failure == null ? new ParentDeath(part, null)
                    : new ParentDeath(List.of(), String.join(" ", part) + " does not work here (" + failure + ")");
        }
    }

    /** Why a part does not work here, or null if it does: one that refused would fail every server start instead. */
    private static String failure(List<String> part) {
        List<String> probe = new ArrayList<>(part);
        probe.add("true");
        try {
            Process p = new ProcessBuilder(probe).redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "it did not finish within 5 s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            // It has exited: its few bytes of complaint are all there is to read.
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip().lines()
                    .findFirst().orElse("");
            return "exit code " + p.exitValue() + (said.isEmpty() ? "" : ": " + said);
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while trying it";
        }
    }
}
