package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.testing.FramedCounterServer;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.Signals;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The newline-delimited and length-prefixed codecs against small servers of our own, each replica its own JVM. */
@Tag("e2e")
class FramedGatewayTest {
    @RegisterExtension
    final GatewayExtension gateway = new GatewayExtension();

    private void start(String protocol, Path trigger, String extra) {
        start(protocol, trigger, "2s", extra);
    }

    private void start(String protocol, Path trigger, String deadline, String extra) {
        String plain = JavaCommand.yaml(FramedCounterServer.class, protocol, "{port}");
        String corruptible = JavaCommand.yaml(FramedCounterServer.class, protocol, "{port}", "--trigger", trigger.toString());
        gateway.start("""
                group: %s
                replicas: 3
                server:
                  command: [%s, %s, %s]
                  readyTimeout: 20s
                listen: { protocol: %s }
                deadline: %s
                %s
                """.formatted(protocol, plain, corruptible, plain, protocol, deadline, extra));
    }

    @Test
    void shouldStopWithTheRequestNamedWhenOneRequestBreaksEveryReplica() throws Exception {
        start("line", gateway.dir().resolve("unused"), "");
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=1");
            out.write("TWICE a\n".getBytes(StandardCharsets.UTF_8));
            // Each replica's votes go with it when it breaks the protocol, so the answer may be an error, but
            // never anything but the agreed value.
            assertThat(in.readLine()).satisfiesAnyOf(l -> assertThat(l).isEqualTo("a=2"),
                    l -> assertThat(l).startsWith("ERROR resh:"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !gateway.events(GroupEvent.FailStopped.class).isEmpty());
            assertThat(gateway.events(GroupEvent.FailStopped.class).get(0).detail())
                    .contains("replicas broke the protocol at request #2 (TWICE)", "a reply nobody asked for");
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).contains("the group stopped answering", "broke the protocol at request #2");
        }
        // No replacement is fed the request again: the faults stop at the replicas it broke.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> gateway.events(GroupEvent.FaultDetected.class).size() <= 3);
    }

    @Test
    void shouldSkipARequestThatCrashesEveryReplicaAndTheirReplacementsAndServeOn() throws Exception {
        start("line", gateway.dir().resolve("unused"), "");
        GroupEvent.PoisonRequest skipped = requestOfDeath("EXIT", // every server process exits on it, answering nothing
                "ERROR resh: 2 replicas crashed at request #3 (EXIT) before any answered it; it may or may not have"
                        + " taken effect", FaultKind.CRASH);
        assertThat(skipped.evidence()).contains("request #3 (EXIT) crashed 2 replicas before any answered it, then 2 of"
                + " their replacements when replayed", "exited with code 3", "the request's doing, not theirs; it is"
                + " dropped from the replay log, and the replacements are rebuilt without it");
    }

    /**
     * A request that hangs every server (each stays alive and never answers it) gives no f+1 answers to time
     * a hang from; without a bound of its own the client, and every later one, would wait forever.
     */
    @Test
    void shouldSkipARequestThatHangsEveryReplicaAndTheirReplacementsAndServeOn() throws Exception {
        start("line", gateway.dir().resolve("unused"), "1s", "");
        GroupEvent.PoisonRequest skipped = requestOfDeath("SPIN a", // every server hangs on it, alive, answering nothing
                "ERROR resh: 2 replicas hung at request #3 (SPIN) before any answered it; it may or may not have taken"
                        + " effect", FaultKind.HANG);
        assertThat(skipped.evidence()).contains("request #3 (SPIN) hung 2 replicas before any answered it, then 2 of"
                + " their replacements when replayed (no progress replaying the log for", "stuck at request #3 (SPIN)",
                "it is dropped from the replay log");
        assertThat(gateway.events(GroupEvent.FaultDetected.class).subList(0, 3)).allSatisfy(f -> assertThat(f.evidence())
                .contains("no reply to request #3 (SPIN) for", "and no replica answered it"));
    }

    /**
     * Sends two INCRs, then {@code deadly}, which every server dies of ({@code kind}): its client gets
     * {@code firstError}. The first strike may be an outside kill or stall of f+1 servers, so the replacements
     * are replayed the log; they die of it again, and it is dropped from the log. The group then serves on
     * from the state without it, nothing else lost, and nobody fail-stops. Returns the event that says so.
     */
    private GroupEvent.PoisonRequest requestOfDeath(String deadly, String firstError, FaultKind kind) throws Exception {
        try (Socket s = gateway.connect()) { // reads time out after 10 s: every answer must come before
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("INCR a\nINCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=1");
            assertThat(in.readLine()).isEqualTo("a=2");
            out.write((deadly + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo(firstError);
            GroupEvent.PoisonRequest skipped = gateway.awaitEvent(GroupEvent.PoisonRequest.class, e -> true);
            assertThat(skipped.sequence()).isEqualTo(3);
            assertThat(skipped.replicasKilled()).isBetween(2, 3);
            assertThat(skipped.processesKilled()).isEqualTo(4);
            // Until enough replacements are back, requests are refused (not executed); then they are served
            // from the state the log rebuilds: both INCRs, and nothing of the request of death.
            String answer = await().atMost(Duration.ofSeconds(30)).until(() -> {
                out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
                return in.readLine();
            }, l -> !l.startsWith("ERROR resh: only"));
            assertThat(answer).isEqualTo("a=3");
        }
        gateway.awaitAllLive();
        assertThat(gateway.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(gateway.status().failStop()).isNull();
        assertThat(gateway.status().requestsOfDeath()).isEqualTo(1);
        // The three servers, then one replacement each of the two that counted, perhaps the third's too: and
        // none after, since the log no longer holds it.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15))
                .until(() -> gateway.events(GroupEvent.FaultDetected.class).size() <= 6);
        assertThat(gateway.events(GroupEvent.FaultDetected.class)).hasSizeBetween(5, 6)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(kind));
        // (A third replacement that dies of it late may be reported at the latest request by then.)
        assertThat(gateway.events(GroupEvent.FaultDetected.class).subList(0, 5))
                .allSatisfy(f -> assertThat(f.sequence()).isEqualTo(3));
        return gateway.events(GroupEvent.PoisonRequest.class).get(0);
    }

    /**
     * A request every server answered live that kills every server replaying it later (its replay meets a state its
     * live run did not: here, a file the servers look for). Two of four servers are killed; their replacements replay
     * the log pipelined and die somewhere in a window of it, then replay that window one request at a time and die at
     * the request itself, which is suspected, then reported once their next replacements die of it again. It is kept
     * in the replay log: its client had its answer, and dropping it would rebuild servers that answer from a state
     * without it. The two servers that executed it are left alone and still make a quorum, so clients read its effect;
     * once the file is gone, the next replacements replay it and rejoin. Before, it was dropped from the log and every
     * server was rebuilt without it: {@code INCR b} answered {@code b=1}, as if {@code EXIT b} had never been answered.
     */
    @Test
    void shouldPinDownAndKeepARequestThatKillsOnlyTheServersReplayingIt() throws Exception {
        Path exit = gateway.dir().resolve("exit");
        gateway.start("""
                group: replay-death
                replicas: 4
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: line }
                deadline: 6s
                """.formatted(JavaCommand.yaml(FramedCounterServer.class, "line", "{port}", "--exit-trigger", exit.toString())));
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String[][] calls = {{"INCR a", "a=1"}, {"INCR a", "a=2"}, {"EXIT b", "b=1"}, {"INCR a", "a=3"}};
            for (String[] call : calls) {
                out.write((call[0] + "\n").getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo(call[1]);
            }
            gateway.awaitQuiet(); // every server executed all four
            Files.writeString(exit, "x"); // from now on, a server that executes EXIT dies
            Signals.send("KILL", gateway.pid(0));
            Signals.send("KILL", gateway.pid(1));

            GroupEvent.FaultDetected found = await().atMost(Duration.ofSeconds(90)).until(() -> gateway
                    .events(GroupEvent.FaultDetected.class).stream().filter(f -> f.evidence().contains("kills every server"))
                    .findFirst().orElse(null), f -> f != null);
            assertThat(found.sequence()).isEqualTo(3);
            String report = "request #3 (EXIT) kills every server that replays it, though replicas answered it when it"
                    + " ran: it crashed 2 replicas when replayed alone, then 2 of their replacements; a replacement cannot"
                    + " be rebuilt by replay, so it is kept in the replay log (dropping it would undo a write its client"
                    + " was told of) and the group runs on the 2 of 4 replicas that executed it, restarting the others"
                    + " with back-off: fix what makes the server fail on it, and the next replacement to replay it rejoins";
            assertThat(found.evidence()).endsWith(", while replaying entry #3 of 4 of the replay log alone (request #3"
                    + " (EXIT)); " + report);
            assertThat(gateway.status().unreplayableRequest()).isEqualTo(report);
            // Its own event, for whoever alerts on events rather than reading every fault's evidence.
            GroupEvent.UnreplayableRequest event = gateway.awaitEvent(GroupEvent.UnreplayableRequest.class, e -> true);
            assertThat(event.type()).isEqualTo("unreplayable-request");
            assertThat(event.group()).isEqualTo("replay-death");
            assertThat(event.sequence()).isEqualTo(3);
            assertThat(event.request()).isEqualTo("request #3 (EXIT)");
            assertThat(event.replacementsFailed()).as("2 replacements suspected it, 2 of theirs confirmed it").isEqualTo(4);
            assertThat(event.replicasExecuted()).isEqualTo(2);
            assertThat(event.replicasNotRebuilt()).isEqualTo(2);
            assertThat(event.serving()).as("2 of 4 still agree").isTrue();
            assertThat(event.evidence()).isEqualTo(report);

            out.write("INCR b\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).as("EXIT b is kept: the two servers that executed it answer").isEqualTo("b=2");
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=4");
            assertThat(gateway.events(GroupEvent.FaultDetected.class)).as("reported once").filteredOn(f -> f.evidence()
                    .contains("kills every server")).hasSize(1);

            Files.delete(exit); // the server is fixed: the next replacements replay EXIT b, and rejoin
            gateway.awaitRecovered(0);
            gateway.awaitRecovered(1);
            assertThat(gateway.status().unreplayableRequest()).isNull();
            out.write("INCR b\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).as("all four agree").isEqualTo("b=3");
        }
        List<GroupEvent.FaultDetected> faults = gateway.events(GroupEvent.FaultDetected.class);
        assertThat(faults).as("the replacements' deaths say where their replay was")
                .anySatisfy(f -> assertThat(f.evidence()).contains(" of 4 of the replay log").endsWith("; the next"
                        + " replacements replay these one at a time"))
                .anySatisfy(f -> assertThat(f.evidence()).endsWith(", while replaying entry #3 of 4 of the replay log alone"
                        + " (request #3 (EXIT))"));
        assertThat(faults).as("the servers that executed it are never replaced").allSatisfy(f -> {
            assertThat(f.replica()).isBetween(0, 1);
            assertThat(f.kind()).isEqualTo(FaultKind.CRASH);
        });
        assertThat(gateway.events(GroupEvent.PoisonRequest.class)).isEmpty();
        assertThat(gateway.events(GroupEvent.UnreplayableRequest.class)).as("once, though replacements kept failing at it")
                .hasSize(1);
        assertThat(gateway.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(gateway.status().requestsOfDeath()).isZero();
    }

    @Test
    void shouldMaskARequestThatHangsOneServer() throws Exception {
        Path spin = gateway.dir().resolve("spin");
        Files.writeString(spin, "x"); // the first server to get SPIN hangs on it, once
        String hangs = JavaCommand.yaml(FramedCounterServer.class, "line", "{port}", "--spin-trigger", spin.toString());
        String answers = JavaCommand.yaml(FramedCounterServer.class, "line", "{port}", "--spin-trigger",
                gateway.dir().resolve("never").toString());
        gateway.start("""
                group: spin-one
                replicas: 3
                server:
                  command: [%s, %s, %s]
                  readyTimeout: 20s
                listen: { protocol: line }
                deadline: 3s
                """.formatted(hangs, answers, answers));
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("INCR a\nSPIN a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=1");
            assertThat(in.readLine()).as("the two others answer it").isEqualTo("a=2");
            GroupEvent.FaultDetected fault = gateway.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
            assertThat(fault.replica()).isZero();
            assertThat(fault.kind()).isEqualTo(FaultKind.HANG);
            assertThat(fault.sequence()).isEqualTo(2);
            assertThat(fault.evidence()).startsWith("no reply to request #2").contains("after 2 replicas answered it");
            assertThat(gateway.awaitRecovered(0).replayed()).isEqualTo(2);
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=3");
        }
        assertThat(gateway.events(GroupEvent.FaultDetected.class)).hasSize(1);
        assertThat(gateway.events(GroupEvent.FailStopped.class)).isEmpty();
    }

    @Test
    void shouldRecoverWhenTwoServersAreKilledAtOnceWithAWriteInFlight() throws Exception {
        // A long deadline: a stall of a loaded machine must not make any server hung here (2 s did, once: a
        // replacement of replica 0 before the test read its pid); only the two kills are faults.
        start("line", gateway.dir().resolve("unused"), "6s", "");
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            for (int i = 1; i <= 20; i++) {
                out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("a=" + i);
            }
            long[] pids = {gateway.pid(0), gateway.pid(1), gateway.pid(2)};
            for (long pid : pids) {
                Signals.send("STOP", pid); // so that no server answers the next write before two are killed
            }
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.status().inFlight() == 1);
            ProcessHandle.of(pids[0]).orElseThrow().destroyForcibly();
            ProcessHandle.of(pids[1]).orElseThrow().destroyForcibly();
            // Both crashes are seen while the write is the oldest request they owed and nobody answered it.
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.events(GroupEvent.FaultDetected.class).size() == 2);
            Signals.send("CONT", pids[2]);
            assertThat(in.readLine()).isEqualTo("ERROR resh: 2 replicas crashed at request #21 (INCR) before any answered"
                    + " it; it may or may not have taken effect");
            gateway.awaitRecovered(0);
            gateway.awaitRecovered(1);
            // The write took effect on the survivor and was replayed into both replacements.
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=22");
        }
        assertThat(gateway.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(gateway.events(GroupEvent.FaultDetected.class)).hasSize(2)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.CRASH))
                .allSatisfy(f -> assertThat(f.sequence()).isEqualTo(21));
    }

    @Test
    void shouldBlameNoRequestForTheServersItKillsWhenItCloses() throws Exception {
        Gateway running = gateway.start("""
                group: closing
                replicas: 3
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: line }
                """.formatted(JavaCommand.yaml(FramedCounterServer.class, "line", "{port}")));
        try (Socket s = gateway.connect()) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 3; i++) {
                Signals.send("STOP", gateway.pid(i));
            }
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8)); // every replica owes it when they are killed
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.status().inFlight() == 1);
            running.close();
        }
        assertThat(gateway.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(gateway.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    @Test
    void shouldVoteLinesMaskingACanonicalizedTimestampAndACorruptedReply() throws Exception {
        Path trigger = gateway.dir().resolve("corrupt");
        start("line", trigger, "canonicalize: [ { regex: 't=\\d+', replace: 't=*' } ]");
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write("INCR a\nINCR a\nTIME\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=1");
            assertThat(in.readLine()).isEqualTo("a=2");
            assertThat(in.readLine()).as("replicas' clocks differ; the mask makes them comparable").matches("t=\\d+");
            // Replies are released once 2 agree: wait until the corruptible replica answered them all too, so the
            // trigger hits the next request.
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.status().inFlight() == 0);
            assertThat(gateway.events(GroupEvent.FaultDetected.class)).isEmpty();
            Files.writeString(trigger, "x");
            out.write("INCR a\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("a=3");
        }
        GroupEvent.FaultDetected fault = gateway.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(fault.evidence()).contains("expected 'a=3\\x0a' got 'a=1003\\x0a'");
        gateway.awaitRecovered(1);
    }

    @Test
    void shouldReopenConnectionsTheServersCloseWhileIdle() throws Exception {
        String idle = JavaCommand.yaml(FramedCounterServer.class, "line", "{port}", "--idle-close", "300");
        gateway.start("""
                group: idle
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: line }
                """.formatted(idle));
        try (Socket s = gateway.connect()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            for (int round = 1; round <= 2; round++) {
                out.write("INCR x\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("x=" + round);
                int closes = 5 * 3 * round; // several idle periods per replica: re-opening never adds up to a fault
                await().atMost(Duration.ofSeconds(15)).until(() -> idleCloses() >= closes);
            }
            out.write("INCR x\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("x=3");
        }
        assertThat(gateway.events(GroupEvent.FaultDetected.class)).as("an idle close is no fault").isEmpty();
        assertThat(gateway.status().replicas()).allMatch(r -> r.incarnation() == 1);
    }

    private long idleCloses() throws java.io.IOException {
        long n = 0;
        for (int i = 0; i < 3; i++) {
            n += Files.readAllLines(gateway.status().replicas().get(i).log()).stream().filter(l -> l.equals("closed idle connection")).count();
        }
        return n;
    }

    @Test
    void shouldVoteLengthPrefixedFramesAndRebuildAKilledReplica() throws Exception {
        start("length", gateway.dir().resolve("unused"), "");
        try (Socket s = gateway.connect()) {
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            for (int i = 1; i <= 30; i++) {
                if (i == 10) {
                    Signals.send("KILL", gateway.pid(2));
                }
                byte[] req = "INCR b".getBytes(StandardCharsets.UTF_8);
                out.writeInt(req.length);
                out.write(req);
                out.flush();
                byte[] reply = in.readNBytes(in.readInt());
                assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("b=" + i);
            }
        }
        assertThat(gateway.awaitEvent(GroupEvent.FaultDetected.class, f -> f.replica() == 2).kind()).isEqualTo(FaultKind.CRASH);
        assertThat(gateway.awaitRecovered(2).replayed()).isGreaterThanOrEqualTo(9);
    }
}
