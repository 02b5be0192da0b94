package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.gateway.ordered.OrderedMultiplexerTest.Answer;
import io.resh.gateway.ordered.OrderedMultiplexerTest.FakeLink;
import io.resh.gateway.protocol.LineProtocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checkpoints of the servers' saved state, in the multiplexer: when they are asked for, whom they copy, when the log is cut. */
class CheckpointPlanTest {
    private final AtomicLong clock = new AtomicLong();
    private final List<String> events = new ArrayList<>();
    private final LineProtocol line = new LineProtocol();
    private FakeLink[] links;
    private OrderedMultiplexer mux;
    private ReplayLog log;

    @BeforeEach
    void setUp() {
        start(new ReplayLog(1 << 20, 1000), 3);
    }

    /** Three replicas with a checkpoint every {@code every} logged requests, the group's calls recorded in events. */
    private void start(ReplayLog replayLog, int every) {
        log = replayLog;
        GroupCallbacks group = new GroupCallbacks() {
            @Override
            public void fault(int slot, FaultKind kind, long sequence, String evidence) {
                events.add("fault " + slot + " " + kind + " #" + sequence + " " + evidence);
            }

            @Override
            public void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence) {
                events.add("fault " + slot + " " + kind + " idle after #" + answeredThrough);
            }

            @Override
            public void caughtUp(int slot, long sequence, long replayed) {
                events.add("caught-up " + slot + " replayed " + replayed);
            }

            @Override
            public void skipped(long sequence, int slots, int processes, String detail) {
            }

            @Override
            public void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                                     boolean serving, String detail) {
            }

            @Override
            public void failStopped(long sequence, String detail) {
                events.add("fail-stop #" + sequence);
            }

            @Override
            public void checkpointSaved(long sequence, int source, byte[] digest) {
                events.add("saved #" + sequence + " from " + source + " digest "
                        + new String(digest, StandardCharsets.UTF_8).trim());
            }

            @Override
            public void checkpointNotTaken(long sequence, String why) {
                events.add("not taken #" + sequence + ": " + why);
            }

            @Override
            public void logCut(long sequence, int dropped) {
                events.add("cut at #" + sequence + " dropped " + dropped);
            }

            @Override
            public void logRestarted(long sequence) {
                events.add("log restarted at #" + sequence);
            }
        };
        mux = new OrderedMultiplexer(new Quorum(3), line, new Canonicalizer(line, List.of()), log, group,
                new OrderedMultiplexer.Settings(Duration.ofSeconds(2), 100, 8), clock::get, Runnable::run);
        mux.checkpoints(new OrderedMultiplexer.CheckpointPlan(every, request("save", true), request("digest", true)));
        links = new FakeLink[3];
        for (int i = 0; i < 3; i++) {
            links[i] = new FakeLink(i);
            mux.attach(links[i]);
        }
        events.clear();
    }

    private static Request request(String text, boolean readOnly) {
        return Request.of((text + "\n").getBytes(StandardCharsets.UTF_8), text.split(" ")[0], readOnly, 0);
    }

    private Answer send(String text, boolean readOnly) {
        Answer a = new Answer();
        mux.submit(request(text, readOnly), a);
        return a;
    }

    private void reply(int slot, String text) {
        mux.onReply(links[slot], (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Three writes (one read among them), each answered by all: the checkpoint follows the third write, #5 and #6. */
    private void writeThreeAndAnswer() {
        for (String w : new String[] {"set a 1", "get a", "set b 2", "set c 3"}) {
            send(w, w.startsWith("get"));
            for (int i = 0; i < 3; i++) {
                reply(i, "ok");
            }
        }
    }

    /** Every replica gives the same digest and saves: the checkpoint at request #6 is saved. */
    private void answerTheCheckpoint() {
        for (int i = 0; i < 3; i++) {
            reply(i, "d-1");
        }
        for (int i = 0; i < 3; i++) {
            reply(i, "saved");
        }
    }

    @Test
    void shouldAskForTheDigestAndTheSaveAfterEveryThirdLoggedRequestAndLogNeither() {
        writeThreeAndAnswer();
        for (FakeLink l : links) {
            assertThat(l.written).containsExactly("set a 1", "get a", "set b 2", "set c 3", "digest", "save");
        }
        assertThat(log.size()).as("the writes only").isEqualTo(3);
        send("set d 4", false);
        assertThat(links[0].written).as("not again before three more writes").endsWith("save", "set d 4");
    }

    @Test
    void shouldCopyFromAReplicaWhoseDigestAgreedAndReplaceTheOneWhoseDidNot() {
        writeThreeAndAnswer();
        reply(0, "d-wrong");
        reply(1, "d-1");
        reply(2, "d-1");
        for (int i = 0; i < 3; i++) {
            if (i != 0) {
                reply(i, "saved");
            }
        }
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("fault 0 DIVERGENCE #5"));
        assertThat(events).contains("saved #6 from 1 digest d-1");
    }

    @Test
    void shouldTakeACheckpointNowAtTheEndOfWhatIsSequencedOnceTheOneBeingTakenIsDone() {
        writeThreeAndAnswer(); // the periodic checkpoint at #6 is being taken
        send("set d 4", false);
        assertThat(mux.checkpointNow()).as("busy").isEqualTo(-1);
        answerTheCheckpoint();
        mux.checkpointStored(6, true);
        assertThat(mux.checkpointBusy()).isFalse();

        assertThat(mux.checkpointNow()).as("digest #8, save #9").isEqualTo(9);
        assertThat(links[0].written).endsWith("save", "set d 4", "digest", "save");
        assertThat(mux.checkpointBusy()).isTrue();
        reply(0, "ok");
        reply(1, "ok");
        reply(2, "ok");
        reply(0, "d-1");
        reply(1, "d-2");
        reply(2, "d-3");
        for (int i = 0; i < 3; i++) {
            reply(i, "saved");
        }
        assertThat(events).contains("not taken #9: no 2 replicas agreed on the state's digest");
        assertThat(mux.checkpointBusy()).isFalse();
    }

    @Test
    void shouldRefuseACheckpointNowWithFewerThanFPlusOneHealthyReplicas() {
        mux.onLinkFailed(links[1], FaultKind.CRASH, "process 101 exited with code 3");
        mux.onLinkFailed(links[2], FaultKind.CRASH, "process 102 exited with code 3");
        assertThatThrownBy(mux::checkpointNow).hasMessage("only 1 of 3 replicas are healthy and 2 must agree on a checkpoint");
        assertThat(mux.sequenced()).as("nothing sent").isZero();
    }

    @Test
    void shouldNumberRequestsOnAfterTheCheckpointTheReplicasStartFrom() {
        log = new ReplayLog(1 << 20, 1000);
        mux = new OrderedMultiplexer(new Quorum(3), line, new Canonicalizer(line, List.of()), log, new GroupCallbacks() {
            @Override
            public String group() {
                return "g";
            }

            @Override
            public void fault(int slot, FaultKind kind, long sequence, String evidence) {
                events.add("fault " + slot + " " + evidence);
            }

            @Override
            public void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence) {
            }

            @Override
            public void caughtUp(int slot, long sequence, long replayed) {
                events.add("caught-up " + slot + " at #" + sequence);
            }

            @Override
            public void skipped(long sequence, int slots, int processes, String detail) {
            }

            @Override
            public void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                                     boolean serving, String detail) {
            }

            @Override
            public void failStopped(long sequence, String detail) {
            }
        }, new OrderedMultiplexer.Settings(Duration.ofSeconds(2), 100, 8), clock::get, Runnable::run);
        mux.startAfter(40);
        for (int i = 0; i < 3; i++) {
            links[i] = new FakeLink(i);
            mux.attach(links[i], 40);
        }
        assertThat(events).containsExactly("caught-up 0 at #40", "caught-up 1 at #40", "caught-up 2 at #40");
        send("set a 1", false);
        assertThat(mux.sequenced()).isEqualTo(41);
        assertThat(log.base()).isEqualTo(40);
        assertThat(log.seq(0)).isEqualTo(41);
    }

    @Test
    void shouldCutTheLogOnceNoReplicaIsReplayingIt() {
        writeThreeAndAnswer();
        answerTheCheckpoint();
        // Replica 2 crashes and its replacement (started empty, before any checkpoint was stored) is replaying.
        mux.onLinkFailed(links[2], FaultKind.CRASH, "process 102 exited with code 3");
        FakeLink fresh = new FakeLink(2);
        fresh.writable = false;
        links[2] = fresh;
        mux.attach(fresh, 0);
        events.clear();

        mux.checkpointStored(6, true);
        assertThat(log.size()).as("not while replica 2 replays it").isEqualTo(3);
        assertThat(events).isEmpty();

        fresh.writable = true;
        mux.onWritable(fresh);
        for (int i = 0; i < 3; i++) {
            reply(2, "ok");
        }
        assertThat(events).containsExactly("caught-up 2 replayed 3", "cut at #6 dropped 3");
        assertThat(log.size()).isZero();
        assertThat(log.base()).isEqualTo(6);
        assertThat(mux.sequenced()).isEqualTo(6);
    }

    @Test
    void shouldRestartAServerStartedFromAnOlderCheckpointThanWhereTheLogStarts() {
        writeThreeAndAnswer();
        answerTheCheckpoint();
        mux.checkpointStored(6, true);
        assertThat(log.base()).isEqualTo(6);
        mux.onLinkFailed(links[1], FaultKind.CRASH, "process 101 exited with code 3");
        events.clear();

        FakeLink stale = new FakeLink(1);
        mux.attach(stale, 0);
        assertThat(events).singleElement().asString().startsWith("fault 1 START_FAILURE")
                .contains("it was started from nothing, but the replay log now starts after request #6; it is started again");

        FakeLink current = new FakeLink(1);
        links[1] = current;
        events.clear();
        mux.attach(current, 6);
        assertThat(events).containsExactly("caught-up 1 replayed 0");
    }

    /** Large writes fill the byte bound long before {@code every} of them: 1 MiB of log, 200 KiB writes. */
    @Test
    void shouldAskForACheckpointOnceTheWritesSinceTheLastFillHalfTheLogsBytes() {
        start(new ReplayLog(1 << 20, 1000), 100);
        String big = "set v " + "x".repeat(200 << 10);
        send(big, false);
        send(big, false);
        assertThat(links[1].written).as("400 KiB of 1 MiB: not yet").hasSize(2);
        send(big, false);
        assertThat(links[1].written).as("past half").hasSize(5).endsWith("digest", "save");
    }

    @Test
    void shouldNotCutTheLogWhenTheCheckpointWasNotStored() {
        writeThreeAndAnswer();
        answerTheCheckpoint();
        mux.checkpointStored(6, false);
        assertThat(log.size()).isEqualTo(3);
        assertThat(log.base()).isZero();
        for (String w : new String[] {"set d 4", "set e 5", "set f 6"}) {
            send(w, false);
        }
        assertThat(links[0].written).as("asked again after three more writes").endsWith("set f 6", "digest", "save");
    }

    /** Each of {@code slots} answers {@code replies}, in order. */
    private void answer(int[] slots, String... replies) {
        for (int i : slots) {
            for (String r : replies) {
                reply(i, r);
            }
        }
    }

    /**
     * A log of 6 entries and a checkpoint every 3 writes: the checkpoint at #6 is slow, 4 writes come while it is
     * taken, and the log overflows at the last of them (#10): that checkpoint can no longer cut it.
     */
    private void overflowWhileTheFirstCheckpointIsTaken() {
        start(new ReplayLog(1 << 20, 6), 3);
        writeThreeAndAnswer();
        for (String w : new String[] {"set d 4", "set e 5", "set f 6", "set g 7"}) {
            send(w, false);
        }
        assertThat(log.overflowed()).isTrue();
        answer(new int[] {0, 1, 2}, "d-1", "saved", "ok", "ok", "ok", "ok");
        mux.checkpointStored(6, true);
        assertThat(log.overflowed()).as("the writes after #6 were dropped with the log").isTrue();
        assertThat(events).containsExactly("saved #6 from 0 digest d-1");
    }

    @Test
    void shouldStartTheLogAgainAtACheckpointStoredAfterItOverflowedWithTheWritesSentWhileItWasTaken() {
        overflowWhileTheFirstCheckpointIsTaken();
        mux.onLinkFailed(links[2], FaultKind.CRASH, "process 102 exited with code 3");
        mux.attach(new FakeLink(2), 0);
        assertThat(events).last().asString().startsWith("fault 2 START_FAILURE")
                .contains("cannot rebuild the replica: the replay log overflowed");
        events.clear();

        send("set h 8", false); // #11: due, so the digest (#12) and the save (#13) follow it
        send("set i 9", false); // sent before the checkpoint is answered, let alone stored
        send("set j 10", false);
        int[] live = {0, 1};
        answer(live, "ok", "d-2", "saved", "ok", "ok");
        assertThat(events).containsExactly("saved #13 from 0 digest d-2");
        assertThat(log.overflowed()).as("until the checkpoint is stored").isTrue();
        send("set k 11", false); // while it is stored
        answer(live, "ok");

        mux.checkpointStored(13, true);

        assertThat(events).containsExactly("saved #13 from 0 digest d-2", "cut at #13 dropped 0", "log restarted at #13");
        assertThat(log.overflowed()).isFalse();
        assertThat(log.base()).isEqualTo(13);
        assertThat(log.size()).as("#14 to #16, none of what came before").isEqualTo(3);
        FakeLink fresh = new FakeLink(2);
        links[2] = fresh;
        events.clear();
        mux.attach(fresh, 13);
        assertThat(fresh.written).containsExactly("set i 9", "set j 10", "set k 11");
        answer(new int[] {2}, "ok", "ok", "ok");
        assertThat(events).containsExactly("caught-up 2 replayed 3");
        assertThat(mux.slotState(2)).isEqualTo("live");
    }

    @Test
    void shouldNotStartTheLogAgainAtACheckpointThatWasNotStoredOrThatItOverflowedAgainWhileTaking() {
        overflowWhileTheFirstCheckpointIsTaken();
        send("set h 8", false); // #11, then the checkpoint at #13
        answer(new int[] {0, 1, 2}, "ok", "d-2", "saved");
        mux.checkpointStored(13, false);
        assertThat(log.overflowed()).isTrue();

        for (String w : new String[] {"set i 9", "set j 10", "set k 11"}) { // #14-#16, then the checkpoint at #18
            send(w, false);
        }
        for (int i = 0; i < 7; i++) { // more than the log holds, before that checkpoint is stored
            send("set l " + i, false);
        }
        answer(new int[] {0, 1, 2}, "ok", "ok", "ok", "d-3", "saved", "ok", "ok", "ok", "ok", "ok", "ok", "ok");
        mux.checkpointStored(18, true);
        assertThat(log.overflowed()).isTrue();
        assertThat(events).noneMatch(e -> e.startsWith("cut") || e.startsWith("log restarted"));

        send("set m 1", false); // the next is due at once, and is stored: the log starts there
        answer(new int[] {0, 1, 2}, "ok", "d-4", "saved");
        mux.checkpointStored(28, true);
        assertThat(events).endsWith("saved #28 from 0 digest d-4", "cut at #28 dropped 0", "log restarted at #28");
        assertThat(log.overflowed()).isFalse();
        assertThat(log.size()).isZero();
    }
}
