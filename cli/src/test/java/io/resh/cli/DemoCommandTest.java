package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import io.resh.host.SupervisionStatus;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {
    private static final String STABLE = Digest.of("state at #1000".getBytes(StandardCharsets.UTF_8)).hex();
    private static final String OTHER = Digest.of("flipped state".getBytes(StandardCharsets.UTF_8)).hex();

    private static GroupStatus group(SlotState... states) {
        List<ReplicaStatus> replicas = new ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            replicas.add(new ReplicaStatus(i, states[i], states[i] == SlotState.DORMANT ? -1 : 100 + i, -1, 1, "jdk",
                    10, 0, "", 0, "", 1.0));
        }
        return new GroupStatus("aes-demo", states.length, 1, null, 10, 0, "", 10, 0, Map.of(), replicas,
                new SupervisionStatus("dmr", Duration.ZERO, List.of(), List.of(), 0));
    }

    /** Three active replicas at stable checkpoint #1000; replica 2 (incarnation 1) last reported {@code digest2} at {@code at2}. */
    private static GroupStatus digests(long at2, String digest2) {
        List<ReplicaStatus> replicas = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replicas.add(new ReplicaStatus(i, SlotState.ACTIVE, 100 + i, -1, 1, "jdk", 1000, 0, "",
                    i == 2 ? at2 : 1000, i == 2 ? digest2 : STABLE, 1.0));
        }
        return new GroupStatus("aes-demo", 3, 1, null, 1000, 1000, STABLE, 0, 0, Map.of(), replicas,
                new SupervisionStatus("fixed", Duration.ZERO, List.of(), List.of(), 0));
    }

    private static GroupEvent.FaultInjected injected(int replica, long sequence, String fault) {
        return new GroupEvent.FaultInjected(1, "aes-demo", replica, -1, sequence, fault, "Engine.key[3] bit 17: 5 -> 131077");
    }

    private static GroupEvent.FaultDetected detected(int replica, long sequence, FaultKind kind) {
        return new GroupEvent.FaultDetected(2, "aes-demo", replica, -1, sequence, kind, kind.label() + " evidence");
    }

    private static GroupEvent.ReplicaStarted started(int replica, int incarnation) {
        return new GroupEvent.ReplicaStarted(0, "aes-demo", replica, -1, 200 + replica, incarnation, "jdk");
    }

    @Test
    void shouldCountTheDormantSpareOfAnAdaptiveGroupAsSettled() {
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.ACTIVE, SlotState.DORMANT))).isTrue();
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.ACTIVE, SlotState.ACTIVE))).isTrue();
    }

    @Test
    void shouldWaitForAReplicaThatIsStillRecovering() {
        assertThat(DemoCommand.allActive(group(SlotState.ACTIVE, SlotState.CATCHING_UP, SlotState.DORMANT))).isFalse();
        assertThat(DemoCommand.allActive(group(SlotState.BACKING_OFF, SlotState.ACTIVE, SlotState.ACTIVE))).isFalse();
    }

    @Test
    void shouldCallAStateFlipWithoutEffectOnlyOnceTheSameProcessAgreedAtACheckpointAfterIt() {
        DemoCommand.Ledger ledger = new DemoCommand.Ledger();
        ledger.update(List.of(started(0, 1), started(1, 1), started(2, 1), injected(0, 400, "crash"),
                detected(0, 401, FaultKind.CRASH), started(0, 2), injected(2, 900, "state-corruption")));

        assertThat(ledger.check(digests(500, STABLE))).as("its last digest was taken before the flip").isEmpty();
        assertThat(ledger.summary().get(0)).isEqualTo(
                "  faults injected 2: detected 1, not observed 1 (no replica disagreed afterwards)");

        assertThat(ledger.check(digests(1000, STABLE))).singleElement()
                .satisfies(i -> assertThat(i.agreedAt()).isEqualTo(1000));
        List<String> summary = ledger.summary();
        assertThat(summary.get(0)).isEqualTo("  faults injected 2: detected 1, masked without effect 1");
        assertThat(summary.get(1)).isEqualTo("    crash            into replica 0: detected as crash at #401");
        assertThat(summary.get(2)).startsWith("    state-corruption into replica 2: masked without effect:")
                .contains("checkpoint #1,000").contains("Engine.key[3] bit 17");
    }

    @Test
    void shouldNotCallAFlipHarmlessWhenTheReplicasDigestDiffersOrItsProcessWasReplaced() {
        DemoCommand.Ledger differs = new DemoCommand.Ledger();
        differs.update(List.of(injected(2, 900, "state-corruption")));
        assertThat(differs.check(digests(1000, OTHER))).isEmpty();
        assertThat(differs.summary()).contains("    state-corruption into replica 2: not observed: no replica disagreed afterwards");

        DemoCommand.Ledger replaced = new DemoCommand.Ledger();
        replaced.update(List.of(started(2, 1), injected(2, 900, "state-corruption"), started(2, 2)));
        assertThat(replaced.check(digests(1000, STABLE))).isEmpty();
        assertThat(replaced.summary().get(1)).contains("not observed").contains("replaced");
    }

    @Test
    void shouldCountAFlipCaughtAtTheNextCheckpointAsDetected() {
        DemoCommand.Ledger ledger = new DemoCommand.Ledger();
        ledger.update(List.of(injected(2, 900, "state-corruption"), detected(2, 1000, FaultKind.STATE_DIVERGENCE)));

        assertThat(ledger.check(digests(1000, STABLE))).isEmpty();
        assertThat(ledger.summary()).containsExactly("  faults injected 1: detected 1",
                "    state-corruption into replica 2: detected as state-divergence at #1,000");
    }

    @Test
    void shouldGiveADetectionToTheInjectionItMatchesAndListOnesNoInjectionExplains() {
        DemoCommand.Ledger ledger = new DemoCommand.Ledger();
        ledger.update(List.of(injected(2, 900, "state-corruption"), injected(2, 950, "crash"),
                detected(2, 951, FaultKind.CRASH), detected(1, 960, FaultKind.HANG)));

        List<String> summary = ledger.summary();
        assertThat(summary.get(0)).isEqualTo("  faults injected 2: detected 1, not observed 1 (no replica disagreed afterwards)");
        assertThat(summary.get(1)).startsWith("    state-corruption into replica 2: not observed");
        assertThat(summary.get(2)).isEqualTo("    crash            into replica 2: detected as crash at #951");
        assertThat(summary.get(3)).isEqualTo("  also detected  1 fault no injection explains: hang in replica 1 at #960");
    }

    @Test
    void shouldSayAKillBetweenRequestsCameAfterTheLastAnsweredOneAsTheLiveLineDoes() {
        DemoCommand.Ledger ledger = new DemoCommand.Ledger();
        ledger.update(List.of(injected(0, 16_093, "crash"), new GroupEvent.FaultDetected(2, "aes-demo", 0, -1, 16_093,
                FaultKind.CRASH, "process exited with code 137 (signal 9)", Map.of(), true)));

        assertThat(ledger.summary().get(1))
                .isEqualTo("    crash into replica 0: detected as crash while idle, after request #16,093");
    }

    @Test
    void shouldRefuseASizeOrWindowItCannotRunWithBeforeStartingAnything() {
        assertThat(refusal("--size", "-1")).isEqualTo("resh demo: --size: expected 0 to 16777199 bytes (an encryption request"
                + " must fit the group's limits.maxRequestBytes), got -1");
        assertThat(refusal("--size", "16777200")).endsWith("got 16777200");
        assertThat(refusal("--window", "0")).isEqualTo("resh demo: --window: expected 1 to 10000, got 0");
        assertThat(refusal("--window", "100000000")).as("filled past --duration").isEqualTo("resh demo: --window: expected 1 to 10000,"
                + " got 100000000");
    }

    /** What {@code resh demo ARGS} says on stderr, given that it exits with status 2. */
    private static String refusal(String... args) {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("demo", "--duration", "1s"));
        all.addAll(List.of(args));
        assertThat(cl.execute(all.toArray(String[]::new))).as("exit status of resh %s", all).isEqualTo(2);
        return err.toString().strip();
    }

    /** Records each write the terminal would get: a line must arrive in one piece, ending in its line break. */
    private static final class Writes extends OutputStream {
        final List<String> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            writes.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldWriteEachLineWholeInOneWrite() {
        Writes terminal = new Writes();
        PrintStream out = new PrintStream(terminal, true, StandardCharsets.UTF_8);

        DemoCommand.line(out, String.format("  << detected: replica %d %s at #%d: %s", 1, "hang", 335243, "no heartbeat for 1004 ms"));
        DemoCommand.line(out, "");

        String nl = System.lineSeparator();
        assertThat(terminal.writes).containsExactly("  << detected: replica 1 hang at #335243: no heartbeat for 1004 ms" + nl, nl);
    }

    /**
     * Ctrl-C in the middle of the demo: the group was closed under the running demo, which printed one
     * "client error: ... group aes-demo is closed" line per request (thousands) and never said where the logs were.
     */
    @Test
    @org.junit.jupiter.api.Tag("e2e")
    void shouldStopQuietlyAndNameTheLogsOnCtrlC(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path out = dir.resolve("stdout.txt");
        java.nio.file.Files.createDirectories(dir.resolve("tmp"));
        Process demo = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Duser.home=" + dir.resolve("home")), "demo", "--duration", "60s"))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> java.nio.file.Files.readString(out).contains("[  1s] requests"));
            demo.destroy(); // SIGTERM, as Ctrl-C
            assertThat(demo.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the demo exits").isTrue();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
        String printed = java.nio.file.Files.readString(out);
        assertThat(printed).doesNotContain("client error").contains("resh demo: stopped after ")
                .contains("  replica logs    " + dir.resolve("tmp"));
    }

    /**
     * A short run injected each fault at its time whatever the group's state: the flipped reply came while
     * replica 0 was still recovering from its kill -9, and SIGSTOP hit replica 1 while it was starting again,
     * which cost a client error and a 30 s stall. A fault now waits until every replica is back in the vote.
     */
    @Test
    @org.junit.jupiter.api.Tag("e2e")
    void shouldInjectTheNextFaultOnlyOnceTheGroupHasRecoveredFromTheLast(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path out = dir.resolve("stdout.txt");
        java.nio.file.Files.createDirectories(dir.resolve("tmp"));
        Process demo = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Duser.home=" + dir.resolve("home")), "demo", "--duration", "1s"))
                .redirectOutput(out.toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        try {
            assertThat(demo.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the demo ends").isTrue();
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
        List<String> lines = java.nio.file.Files.readAllLines(out);
        boolean recovering = false;
        for (String line : lines) {
            if (line.startsWith("  << detected: ")) {
                recovering = true;
            } else if (line.startsWith("  << recovered: ")) {
                recovering = false;
            } else if (line.startsWith("  >> injecting: ")) {
                assertThat(recovering).as("injected while a replica was still recovering: %s%n%s", line,
                        String.join(System.lineSeparator(), lines)).isFalse();
            }
        }
        assertThat(lines).noneMatch(l -> l.contains("!! client error") || l.contains("start-failure"));
        assertThat(demo.exitValue()).isZero();
    }

    /** A request that timed out was printed as "client error: null". */
    @Test
    void shouldSayWhatAFailedRequestMeantInOneLine() {
        assertThat(DemoCommand.clientError(new java.util.concurrent.TimeoutException(), Duration.ofSeconds(30)))
                .isEqualTo("no voted reply within 30 s");
        assertThat(DemoCommand.clientError(new java.util.concurrent.ExecutionException(
                new IllegalStateException("group aes-demo failed stop:\nreplicas disagree")), Duration.ofSeconds(30)))
                .isEqualTo("group aes-demo failed stop: replicas disagree");
    }

    /** After a 3.5 s stall the line was printed three times with the same time and 0/s. */
    @Test
    void shouldPrintOneLineAfterAStallWithTheRateOverTheWholeStall() {
        long second = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        DemoCommand.Ticker ticker = new DemoCommand.Ticker(0);
        assertThat(ticker.due(second - 1)).isFalse();
        assertThat(ticker.due(second)).isTrue();
        assertThat(ticker.perSecond(second, 1000)).isEqualTo(1000);
        ticker.printed(second, 1000);

        long stalled = 4 * second + second / 2;
        assertThat(ticker.due(stalled)).isTrue();
        assertThat(ticker.perSecond(stalled, 1350)).isEqualTo(100); // 350 requests over 3.5 s
        ticker.printed(stalled, 1350);
        assertThat(ticker.due(stalled)).as("one line for the stall, not one per second missed").isFalse();
        assertThat(ticker.due(5 * second)).as("then on the beat again").isTrue();
    }
}
