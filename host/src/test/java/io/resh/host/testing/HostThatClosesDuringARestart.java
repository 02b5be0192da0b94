package io.resh.host.testing;

import io.resh.host.ReplicaGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A host process for shutdown tests: crashes a replica of a {@link SlowRestartService} group and exits while
 * the replacement is still starting (its shared body file made, its hello a minute away), as resh serve does on
 * SIGTERM: the group's exit hook stops it, then the JVM halts, and daemon threads get no more time. Prints
 * {@code replacement started} once the replacement's file exists.
 */
public final class HostThatClosesDuringARestart {
    private HostThatClosesDuringARestart() {
    }

    public static void main(String[] args) throws Exception {
        String group = args[0];
        ReplicaGroup g = ReplicaGroup.start(TestGroups.of(group, 3, SlowRestartService.class.getName())
                .workDir(args[1]).build());
        g.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
        g.faults().crash(1).get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (g.status().replicaStates().get(1).incarnation() < 2 || !sharedFileExists(group)) {
            if (System.nanoTime() > deadline) {
                System.out.println("no replacement with a shared body file within 20 s");
                Runtime.getRuntime().halt(3);
            }
            Thread.sleep(5);
        }
        System.out.println("replacement started");
        System.out.flush();
        System.exit(0); // the group's exit hook stops it, as on SIGTERM; then the JVM halts
    }

    private static boolean sharedFileExists(String group) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("/dev/shm"))) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith(".resh-bodies-" + group + "-1."));
        }
    }
}
