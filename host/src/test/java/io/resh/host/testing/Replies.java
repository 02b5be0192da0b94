package io.resh.host.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.host.ReplicaGroup;
import io.resh.host.SlotState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Text requests to a test group and what came back of them, each wait bounded (20 s). */
public final class Replies {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Replies() {
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The voted reply to {@code request}, as text. */
    public static String call(ReplicaGroup group, String request) {
        return new String(group.call(utf8(request), WAIT), StandardCharsets.UTF_8);
    }

    /** The voted reply, as text. */
    public static String text(CompletableFuture<byte[]> reply) throws Exception {
        return new String(reply.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    /** Why {@code reply} failed; fails the test if it did not. */
    public static Throwable failure(CompletableFuture<byte[]> reply) {
        return failure(reply, WAIT);
    }

    /** Why {@code reply} failed within {@code within}; fails the test if it did not. */
    public static Throwable failure(CompletableFuture<byte[]> reply, Duration within) {
        assertThatThrownBy(() -> reply.get(within.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(ExecutionException.class);
        return reply.handle((ok, e) -> e).join();
    }

    /** Waits until the group has {@code n} replicas, all active. */
    public static void awaitAllActive(ReplicaGroup group, int n) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(group.status().replicaStates())
                .hasSize(n).allSatisfy(r -> assertThat(r.state()).isEqualTo(SlotState.ACTIVE)));
    }

    /** How many lines of {@code log} contain {@code text} (0 while the file does not exist). */
    public static long linesIn(Path log, String text) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(log)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }
}
