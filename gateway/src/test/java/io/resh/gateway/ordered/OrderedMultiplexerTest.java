package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.gateway.protocol.LineProtocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sequencer and voter as a plain state machine: fake links, a fake clock, no threads. */
class OrderedMultiplexerTest {
    private final AtomicLong clock = new AtomicLong();
    private final List<String> events = new ArrayList<>();
    private final List<String> skips = new ArrayList<>();
    private final List<String> unreplayables = new ArrayList<>();
    private final LineProtocol line = new LineProtocol();
    private FakeLink[] links;
    private OrderedMultiplexer mux;
    private ReplayLog log;

    static final class FakeLink implements BackendLink {
        final int slot;
        final List<String> written = new ArrayList<>();
        boolean writable = true;
        boolean closed;

        FakeLink(int slot) {
            this.slot = slot;
        }

        @Override
        public int slot() {
            return slot;
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void write(byte[] bytes) {
            written.add(new String(bytes, StandardCharsets.UTF_8).trim());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Answer implements ReplySlot {
        String reply;

        @Override
        public void fill(byte[] r) {
            assertThat(reply).as("filled once").isNull();
            reply = new String(r, StandardCharsets.UTF_8).trim();
        }
    }

    @BeforeEach
    void setUp() {
        start(3, 100);
    }

    private void start(int n, int maxInFlight) {
        start(n, maxInFlight, List.of());
    }

    private void start(int n, int maxInFlight, List<io.resh.gateway.GatewayConfig.Canonicalization> rules) {
        log = new ReplayLog(1 << 20, 1000);
        GroupCallbacks group = new GroupCallbacks() {
            @Override
            public void fault(int slot, FaultKind kind, long sequence, String evidence) {
                events.add("fault " + slot + " " + kind + " #" + sequence + " " + evidence);
            }

            @Override
            public void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence) {
                events.add("fault " + slot + " " + kind + " idle after #" + answeredThrough + " " + evidence);
            }

            @Override
            public void caughtUp(int slot, long sequence, long replayed) {
                events.add("caught-up " + slot + " replayed " + replayed);
            }

            @Override
            public void skipped(long sequence, int slots, int processes, String detail) {
                events.add("skipped #" + sequence + " slots " + Integer.toBinaryString(slots) + " processes " + processes);
                skips.add(detail);
            }

            @Override
            public void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                                     boolean serving, String detail) {
                events.add("unreplayable #" + sequence + " " + request + " replacements failed " + replacementsFailed
                        + " executed " + executed + " not rebuilt " + notRebuilt + (serving ? " serving" : " not serving"));
                unreplayables.add(detail);
            }

            @Override
            public void failStopped(long sequence, String detail) {
                events.add("fail-stop #" + sequence);
            }
        };
        mux = new OrderedMultiplexer(new Quorum(n), line, new Canonicalizer(line, rules), log, group,
                new OrderedMultiplexer.Settings(Duration.ofSeconds(2), maxInFlight, 8), clock::get, Runnable::run);
        links = new FakeLink[n];
        for (int i = 0; i < n; i++) {
            links[i] = new FakeLink(i);
            mux.attach(links[i]);
        }
        events.clear();
    }

    private Answer send(String text, boolean readOnly) {
        Answer a = new Answer();
        mux.submit(Request.of((text + "\n").getBytes(StandardCharsets.UTF_8), text.split(" ")[0], readOnly, 0), a);
        return a;
    }

    private void reply(int slot, String text) {
        mux.onReply(links[slot], (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a write that every replica answers with {@code text}; returns what its client got. */
    private String answeredByAll(String request, String text) {
        Answer a = send(request, false);
        for (int i = 0; i < links.length; i++) {
            reply(i, text);
        }
        return a.reply;
    }

    @Test
    void shouldSendEveryRequestToEveryReplicaInOneOrder() {
        send("set a 1", false);
        send("get a", true);
        for (FakeLink l : links) {
            assertThat(l.written).containsExactly("set a 1", "get a");
        }
        assertThat(mux.sequenced()).isEqualTo(2);
    }

    @Test
    void shouldReleaseOnceTwoOfThreeAgreeAndFaultTheDissenter() {
        Answer a = send("incr n", false);
        reply(0, "1");
        assertThat(a.reply).isNull();
        reply(2, "7");
        assertThat(a.reply).isNull();
        reply(1, "1");
        assertThat(a.reply).isEqualTo("1");
        assertThat(events).singleElement().asString().startsWith("fault 2 DIVERGENCE #1").contains("expected '1\\x0a' got '7\\x0a'");
        assertThat(links[2].closed).isTrue();
        assertThat(mux.inFlight()).isZero();
    }

    @Test
    void shouldCatchALateDissenterAfterTheRelease() {
        Answer a = send("get a", true);
        reply(0, "x");
        reply(1, "x");
        assertThat(a.reply).isEqualTo("x");
        assertThat(mux.inFlight()).as("still owed by replica 2").isEqualTo(1);
        reply(2, "y");
        assertThat(events).singleElement().asString().startsWith("fault 2 DIVERGENCE");
        assertThat(mux.inFlight()).isZero();
    }

    @Test
    void shouldTreatAReplicaThatOwesAReplyPastTheDeadlineAsHung() {
        Answer a = send("set a 1", false);
        reply(0, "ok");
        reply(1, "ok");
        assertThat(a.reply).isEqualTo("ok");
        elapse(1999);
        mux.tick();
        assertThat(events).isEmpty();
        elapse(2);
        mux.tick();
        assertThat(events).singleElement().asString().startsWith("fault 2 HANG #1 no reply to request #1");
        assertThat(mux.slotState(2)).isEqualTo("out");
        assertThat(mux.inFlight()).isZero();
    }

    private void advance(long millis) {
        elapse(millis);
        mux.tick();
    }

    /**
     * Lets {@code millis} pass as the gateway's ticker does, calling {@link OrderedMultiplexer#tick} every period: a
     * longer gap between two ticks is taken for a stall of the gateway and not held against the replicas.
     */
    private void elapse(long millis) {
        long period = OrderedMultiplexer.tickPeriod(Duration.ofSeconds(2)).toMillis();
        for (long left = millis; left > 0; left -= period) {
            clock.addAndGet(Duration.ofMillis(Math.min(period, left)).toNanos());
            mux.tick();
        }
    }

    /**
     * The gateway stopped (SIGSTOP, a long collection, a starved VM) while f+1 replicas had answered and the third's
     * reply was on its way: it waits unread in the socket, and the replica is not hung. Replaced before.
     */
    @Test
    void shouldNotBlameAReplicaForTheGatewaysOwnStall() {
        Answer a = send("set a 1", false);
        reply(0, "ok");
        reply(1, "ok");
        assertThat(a.reply).isEqualTo("ok");
        elapse(400);
        clock.addAndGet(Duration.ofSeconds(5).toNanos()); // no tick for 5 s
        mux.tick();
        elapse(1000);
        assertThat(events).isEmpty();
        reply(2, "ok");
        assertThat(events).isEmpty();
        assertThat(mux.inFlight()).isZero();
    }

    @Test
    void shouldStillFindAReplicaHungAcrossAStallOfTheGateway() {
        send("set a 1", false);
        reply(0, "ok");
        reply(1, "ok");
        elapse(1000);
        clock.addAndGet(Duration.ofSeconds(5).toNanos()); // of which one tick period counts as running
        mux.tick();
        elapse(400);
        assertThat(events).as("1.9 s of the gateway running").isEmpty();
        elapse(200);
        assertThat(events).singleElement().asString().startsWith("fault 2 HANG #1 no reply to request #1");
    }

    @Test
    void shouldNotBlameReplicasThatAreAllSlowButKeepAnswering() {
        Answer[] answers = {send("a", false), send("b", false), send("c", false)};
        mux.tick();
        for (int r = 0; r < 3; r++) {
            advance(3900); // more than 4 x deadline since c was sent, but each reply within 2 x deadline of the last
            for (int i = 0; i < 3; i++) {
                reply(i, "ok" + r);
            }
            mux.tick();
        }
        assertThat(events).isEmpty();
        assertThat(answers).extracting(a -> a.reply).containsExactly("ok0", "ok1", "ok2");
    }

    /** Request #1 answered by all, then #2 (a write, or a read) that no replica answers. */
    private Answer spinHangsAll(boolean readOnly) {
        answeredByAll("incr a", "1");
        Answer spin = send("spin", readOnly);
        mux.tick(); // the oldest request every replica owes is #2 from now on
        return spin;
    }

    @Test
    void shouldFindEveryReplicaHungOnARequestNoneAnswersAndSkipItWhenTheirReplacementsHangReplayingIt() {
        Answer spin = spinHangsAll(false);
        advance(4000);
        assertThat(events).as("within 2 x deadline").isEmpty();
        advance(1);
        assertThat(events).hasSize(3).allSatisfy(e -> assertThat(e).contains(" HANG #2 no reply to request #2 (spin)"
                + " for 4001 ms while it was the oldest request it owed, and no replica answered it"));
        assertThat(spin.reply).isEqualTo("ERROR resh: 2 replicas hung at request #2 (spin) before any answered it; it may or"
                + " may not have taken effect");
        assertThat(mux.failStop()).as("f+1 stalled at once may be an outside stall: no stop").isNull();
        FakeLink first = replace(0);
        FakeLink second = replace(1);
        assertThat(first.written).as("the suspect goes alone, after the replies before it").containsExactly("incr a");
        reply(0, "1");
        reply(1, "1");
        assertThat(first.written).containsExactly("incr a", "spin");
        assertThat(second.written).containsExactly("incr a", "spin");
        advance(4001);
        assertThat(skips).containsExactly("request #2 (spin) hung 2 replicas before any answered it, then 2 of their"
                + " replacements when replayed (no progress replaying the log for 4001 ms, stuck at request #2 (spin)):"
                + " the request's doing, not theirs; it is dropped from the replay log, and the replacements are"
                + " rebuilt without it");
        assertThat(events).filteredOn(e -> e.startsWith("skipped")).containsExactly("skipped #2 slots 11 processes 4");
        assertThat(events).filteredOn(e -> e.startsWith("fault")).hasSize(5).allMatch(e -> e.contains(" HANG "));
        assertThat(mux.failStop()).isNull();
        assertThat(log.skipped()).isEqualTo(1);
        assertGroupRecoversWithout("spin");
        assertThat(log.size()).as("indices kept: incr, the skipped one, incr").isEqualTo(3);
    }

    /**
     * Every replica is replaced and replays the log, which holds the first {@code incr a} only ({@code
     * notReplayed} is not in it), and the group answers the next {@code incr a} from that state.
     */
    private void assertGroupRecoversWithout(String notReplayed) {
        for (int i = 0; i < 3; i++) {
            FakeLink l = replace(i);
            assertThat(l.written).as("%s is not replayed", notReplayed).containsExactly("incr a");
            reply(i, "1");
        }
        assertThat(events).contains("caught-up 0 replayed 1", "caught-up 1 replayed 1", "caught-up 2 replayed 1")
                .noneMatch(e -> e.startsWith("fail-stop"));
        assertThat(answeredByAll("incr a", "2")).isEqualTo("2");
    }

    @Test
    void shouldLetTheGroupRecoverFromAReadThatHangsEveryReplica() {
        Answer get = spinHangsAll(true);
        advance(4001);
        assertThat(get.reply).isEqualTo("ERROR resh: 2 replicas hung at request #2 (spin) before any answered it; it may or may"
                + " not have taken effect");
        assertGroupRecoversWithout("a read");
        advance(10_000);
        assertThat(mux.failStop()).isNull();
    }

    @Test
    void shouldCountCrashesAndHangsAtOneRequestTogether() {
        Answer boom = spinHangsAll(false);
        advance(1000);
        crash(0);
        assertThat(boom.reply).isNull();
        advance(3001);
        assertThat(boom.reply).startsWith("ERROR resh: 2 replicas crashed or hung at request #2 (spin) before any answered it");
        assertThat(mux.failStop()).isNull();
        replace(0);
        replace(1);
        reply(0, "1");
        crash(0); // crashes replaying it
        reply(1, "1");
        advance(4001); // hangs replaying it
        assertThat(skips).singleElement().asString().startsWith("request #2 (spin) crashed or hung 2 replicas before any"
                + " answered it, then 2 of their replacements when replayed (no progress replaying the log for 4001 ms,"
                + " stuck at request #2 (spin))");
        assertThat(mux.failStop()).isNull();
    }

    @Test
    void shouldFindReplicasHungOnARequestOnlyOneAnsweredButBlameNoRequest() {
        Answer a = send("incr a", false);
        mux.tick();
        reply(0, "1");
        advance(4001);
        assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).contains(" HANG #1 ").endsWith("and no 2 replicas"
                + " agreed on it"));
        assertThat(a.reply).startsWith("ERROR resh: only 1 replica(s) could answer incr");
        replace(1);
        replace(2);
        advance(4001);
        assertThat(events).filteredOn(e -> e.contains("no progress replaying")).hasSize(2)
                .allSatisfy(e -> assertThat(e).endsWith("stuck at request #1 (incr), while replaying entry #1 of 1 of the"
                        + " replay log; the next replacements replay it alone"));
        assertThat(mux.failStop()).as("a request one replica answered is not what hung the others").isNull();
    }

    @Test
    void shouldRebuildAReplacementByReplayingOnlyStateChangesThenLetItVote() {
        send("set a 1", false);
        send("get a", true);
        send("set b 2", false);
        for (int i = 0; i < 3; i++) {
            reply(0, "r" + i);
            reply(1, "r" + i);
        }
        mux.detach(2);
        Answer during = send("set c 3", false);
        reply(0, "ok");
        reply(1, "ok");
        assertThat(during.reply).as("two of three still answer").isEqualTo("ok");

        FakeLink fresh = new FakeLink(2);
        links[2] = fresh;
        mux.attach(fresh);
        assertThat(fresh.written).as("the log, in order, without reads").containsExactly("set a 1", "set b 2", "set c 3");
        assertThat(mux.slotState(2)).isEqualTo("replaying");
        Answer after = send("get c", true);
        assertThat(fresh.written).last().isEqualTo("get c");
        reply(2, "ok");
        reply(2, "ok");
        reply(2, "ok");
        assertThat(events).containsExactly("caught-up 2 replayed 3");
        reply(0, "3");
        reply(2, "3");
        assertThat(after.reply).isEqualTo("3");
        assertThat(mux.slotState(2)).isEqualTo("live");
    }

    @Test
    void shouldReplayInWindowsWhileTheReplicaLagsAndJoinAtTheEndOfTheLog() {
        for (int i = 0; i < 20; i++) {
            send("set k" + i, false);
            reply(0, "ok");
            reply(1, "ok");
            reply(2, "ok");
        }
        mux.detach(2);
        FakeLink fresh = new FakeLink(2);
        links[2] = fresh;
        mux.attach(fresh);
        assertThat(fresh.written).as("replay window of 8").hasSize(8);
        send("set late", false);
        reply(0, "ok");
        reply(1, "ok");
        for (int i = 0; i < 21; i++) {
            reply(2, "ok");
        }
        assertThat(fresh.written).hasSize(21).last().isEqualTo("set late");
        assertThat(events).containsExactly("caught-up 2 replayed 21");
    }

    @Test
    void shouldTreatAReplayThatStopsProgressingAsHungCountingFromItsLastReply() {
        for (int i = 0; i < 20; i++) {
            send("set k" + i, false);
            reply(0, "ok");
            reply(1, "ok");
            reply(2, "ok");
        }
        elapse(60_000); // long idle before the replica fails
        mux.detach(2);
        FakeLink fresh = new FakeLink(2);
        links[2] = fresh;
        mux.attach(fresh);
        elapse(3000);
        reply(2, "ok");
        elapse(3000);
        mux.tick();
        assertThat(events).as("it answered 3 s ago, within 2 x deadline").isEmpty();
        elapse(1001);
        mux.tick();
        assertThat(events).singleElement().asString().startsWith("fault 2 HANG").contains("no progress replaying the log for 4001 ms");
        assertThat(mux.slotState(2)).isEqualTo("out");
    }

    @Test
    void shouldFailStopWhenNoMajorityAgreesOnAWrite() {
        Answer a = send("incr n", false);
        Answer queued = send("incr m", false);
        reply(0, "1");
        reply(1, "2");
        reply(2, "3");
        assertThat(a.reply).startsWith("ERROR resh: the group stopped answering: no 2 replicas agree");
        assertThat(queued.reply).startsWith("ERROR resh: the group stopped answering");
        assertThat(events).containsExactly("fail-stop #1");
        assertThat(send("get n", true).reply).startsWith("ERROR resh: the group stopped answering");
    }

    @Test
    void shouldAnswerADisagreeingReadWithAnErrorButKeepServing() {
        Answer a = send("get t", true);
        reply(0, "1");
        reply(1, "2");
        reply(2, "3");
        assertThat(a.reply).contains("the replicas disagree on this read");
        assertThat(mux.failStop()).isNull();
        assertThat(mux.undecided()).isEqualTo(1);
        Answer b = send("get u", true);
        reply(0, "x");
        reply(1, "x");
        assertThat(b.reply).isEqualTo("x");
    }

    @Test
    void shouldRefuseRequestsWhileFewerThanAMajorityAreHealthy() {
        mux.detach(1);
        mux.detach(2);
        Answer a = send("get a", true);
        assertThat(a.reply).contains("only 1 of 3 replicas are healthy and 2 must agree");
    }

    @Test
    void shouldStopReadingClientsAtTheInFlightLimitAndResumeWhenAnswered() {
        start(3, 2);
        send("a", false);
        send("b", false);
        assertThat(mux.hasCapacity()).isFalse();
        List<String> resumed = new ArrayList<>();
        mux.awaitCapacity(() -> resumed.add("go"));
        reply(0, "1");
        assertThat(resumed).isEmpty();
        reply(1, "1");
        assertThat(resumed).as("answered; replica 2 may lag a little").containsExactly("go");
    }

    @Test
    void shouldBoundHowFarALaggingReplicaMayFallBehind() {
        start(3, 2);
        for (int i = 0; i < 2 * OrderedMultiplexer.LAG_FACTOR; i++) {
            assertThat(mux.hasCapacity()).isTrue();
            send("r" + i, false);
            reply(0, "ok");
            reply(1, "ok");
        }
        assertThat(mux.hasCapacity()).as("replica 2 owes %d replies", mux.inFlight()).isFalse();
        List<String> resumed = new ArrayList<>();
        mux.awaitCapacity(() -> resumed.add("go"));
        reply(2, "ok");
        assertThat(resumed).containsExactly("go");
    }

    @Test
    void shouldDetectButNotAttributeAMismatchWithTwoReplicas() {
        start(2, 100);
        Answer a = send("incr n", false);
        reply(0, "1");
        reply(1, "2");
        assertThat(a.reply).contains("the group stopped answering");
        assertThat(events).containsExactly("fail-stop #1");
    }

    @Test
    void shouldCompareRepliesAfterCanonicalizationButReleaseAnOriginal() {
        start(3, 100, List.of(new io.resh.gateway.GatewayConfig.Canonicalization(
                java.util.regex.Pattern.compile("at=\\d+"), "at=*")));
        Answer a = send("stamp", false);
        reply(0, "ok at=100");
        reply(1, "ok at=101");
        assertThat(a.reply).isEqualTo("ok at=101");
        reply(2, "ko at=102");
        assertThat(events).singleElement().asString().startsWith("fault 2 DIVERGENCE");
    }

    @Test
    void shouldReportAReplyNobodyAskedFor() {
        reply(1, "surprise");
        assertThat(events).singleElement().asString().startsWith("fault 1 PROTOCOL").contains("nobody asked for");
    }

    /**
     * A replica that dies owing nothing failed after the last request it answered, not in the latest request: it was
     * reported at #2 as if #2 had killed it.
     */
    @Test
    void shouldReportAReplicaThatDiesOwingNothingAsIdleAfterTheLastRequestItAnswered() {
        answeredByAll("incr a", "1");
        answeredByAll("incr a", "2");
        crash(1);
        assertThat(events).containsExactly("fault 1 CRASH idle after #2 process 101 exited with code 3");
    }

    private void crash(int slot) {
        mux.onLinkFailed(links[slot], FaultKind.CRASH, "process " + (100 + slot) + " exited with code 3");
    }

    /** Starts a fresh process in {@code slot}: it is fed the replay log. */
    private FakeLink replace(int slot) {
        links[slot] = new FakeLink(slot);
        mux.attach(links[slot]);
        return links[slot];
    }

    /** Request #1 answered by all, then #2 "boom" crashes replicas 0 and 1 before any answered it. */
    private Answer boomCrashesTwo() {
        answeredByAll("incr a", "1");
        Answer boom = send("boom", false);
        crash(0);
        assertThat(boom.reply).as("one crash is masked").isNull();
        crash(1);
        return boom;
    }

    @Test
    void shouldSuspectARequestThatCrashesAMajorityAndSkipItWhenItCrashesTheirReplacementsToo() {
        Answer boom = boomCrashesTwo();
        assertThat(mux.failStop()).as("f+1 crashes at once may be an outside kill: no stop").isNull();
        assertThat(boom.reply).isEqualTo("ERROR resh: 2 replicas crashed at request #2 (boom) before any answered it; it may"
                + " or may not have taken effect");
        crash(2); // the third one dies on it too: still the first strike
        assertThat(skips).isEmpty();
        FakeLink first = replace(0);
        FakeLink second = replace(1);
        assertThat(first.written).as("the suspect goes alone, after the replies before it").containsExactly("incr a");
        reply(0, "1");
        assertThat(first.written).containsExactly("incr a", "boom");
        assertThat(second.written).containsExactly("incr a");
        assertThat(send("incr a", false).reply).as("no live request queued behind the suspect: retry later")
                .startsWith("ERROR resh: only 0 of 3 replicas are healthy");
        crash(0);
        assertThat(skips).as("one replacement crashing on it is masked").isEmpty();
        reply(1, "1");
        crash(1);
        assertThat(skips).containsExactly("request #2 (boom) crashed 2 replicas before any answered it, then 2 of"
                + " their replacements when replayed (process 101 exited with code 3): the request's doing, not theirs;"
                + " it is dropped from the replay log, and the replacements are rebuilt without it");
        assertThat(events).filteredOn(e -> e.startsWith("skipped")).containsExactly("skipped #2 slots 11 processes 4");
        assertThat(events).filteredOn(e -> e.startsWith("fault")).hasSize(5).allMatch(e -> e.contains(" CRASH "));
        assertThat(mux.failStop()).isNull();
        assertGroupRecoversWithout("boom");
        assertThat(log.size()).as("indices kept: incr, the skipped one, incr").isEqualTo(3);
    }

    @Test
    void shouldSkipARequestOfDeathEvenForAReplicaInTheMiddleOfItsReplay() {
        boomCrashesTwo();
        crash(2);
        FakeLink third = replace(2);
        reply(2, "1");
        assertThat(third.written).containsExactly("incr a", "boom"); // it owes boom now, and will die of it too
        replace(0);
        reply(0, "1");
        crash(0);
        replace(1);
        reply(1, "1");
        crash(1); // second strike: boom is skipped while replica 2 still owes it
        assertThat(skips).hasSize(1);
        crash(2); // dies of it, as expected: blames nothing more, no stop
        assertThat(mux.failStop()).isNull();
        assertThat(skips).hasSize(1);
        assertGroupRecoversWithout("boom");
        assertThat(log.size()).as("indices kept: incr, the skipped one, incr").isEqualTo(3);
    }

    /**
     * A server may hold the replies to a whole batch of pipelined requests until it has executed the batch
     * (Redis does): one that hangs in the second request of a batch owes the first, whose reply it never
     * sent. So the first is suspected; replayed alone, it is answered and cleared, and the request behind it,
     * which no replica ever answered either, is sent alone in turn: its replay failures count against it.
     */
    @Test
    void shouldFindARequestOfDeathBehindRepliesTheServersHeldBack() {
        answeredByAll("incr a", "1");
        Answer set = send("set b", false);
        Answer spin = send("spin", false); // executed in the same batch as 'set b': its reply never leaves
        mux.tick();
        advance(4001);
        assertThat(set.reply).startsWith("ERROR resh: 2 replicas hung at request #2 (set) before any answered it");
        assertThat(spin.reply).isEqualTo("ERROR resh: request #3 (spin) was queued behind request #2 (set), at which 2"
                + " replicas hung before any answered it; it may or may not have taken effect");
        FakeLink[] round = new FakeLink[3];
        for (int i = 0; i < 3; i++) {
            round[i] = replace(i);
            reply(i, "1");
            assertThat(round[i].written).as("the suspect alone").containsExactly("incr a", "set b");
            reply(i, "OK"); // replayed alone, it is answered: not the request's doing
            assertThat(round[i].written).as("then the next no one answered, alone").containsExactly("incr a", "set b", "spin");
        }
        advance(4001); // all three hang in it: a first strike against 'spin', found in the replay
        assertThat(events).filteredOn(e -> e.startsWith("fault")).hasSize(6).last().asString()
                .isEqualTo("fault 2 HANG #3 no progress replaying the log for 4001 ms, stuck at request #3 (spin), while"
                        + " replaying entry #3 of 3 of the replay log alone");
        assertThat(skips).isEmpty();
        for (int i = 0; i < 3; i++) {
            round[i] = replace(i);
            assertThat(round[i].written).as("'set b' was answered: no longer held back").containsExactly("incr a", "set b");
            reply(i, "1");
            reply(i, "OK");
            assertThat(round[i].written).containsExactly("incr a", "set b", "spin");
        }
        advance(4001); // the second strike
        assertThat(skips).singleElement().asString().startsWith("request #3 (spin) hung 2 replicas before any answered it,"
                + " then 2 of their replacements when replayed");
        for (int i = 0; i < 3; i++) {
            FakeLink l = replace(i);
            reply(i, "1");
            reply(i, "OK");
            assertThat(l.written).containsExactly("incr a", "set b");
        }
        assertThat(answeredByAll("incr a", "2")).isEqualTo("2");
        assertThat(mux.failStop()).isNull();
    }

    @Test
    void shouldClearTheSuspectOnceAReplacementAnswersItWhenReplayed() {
        boomCrashesTwo();
        reply(2, "done"); // the survivor answers it late: too late to vote, and a live answer clears nothing
        replace(0);
        replace(1);
        reply(0, "1");
        crash(0); // the first replacement dies on it: one strike of the second tally
        reply(1, "1");
        reply(1, "done"); // the second one survives it: the crashes were not its doing (say, kill -9 from outside)
        replace(0);
        reply(0, "1");
        crash(0);
        assertThat(mux.failStop()).isNull();
        assertThat(events).noneMatch(e -> e.startsWith("fail-stop")).contains("caught-up 1 replayed 2");
        FakeLink last = replace(0);
        reply(0, "1");
        assertThat(last.written).containsExactly("incr a", "boom");
        reply(0, "done");
        assertThat(answeredByAll("incr a", "2")).isEqualTo("2");
    }

    @Test
    void shouldLetTheGroupRecoverFromAReadOnlyRequestThatCrashesAMajority() {
        answeredByAll("incr a", "1");
        Answer get = send("get a", true);
        crash(0);
        crash(1);
        assertThat(get.reply).startsWith("ERROR resh: 2 replicas crashed at request #2 (get) before any answered it");
        assertThat(replace(0).written).as("a read is not in the replay log").containsExactly("incr a");
        crash(0); // dies again while replaying something else: blames nothing
        assertThat(replace(0).written).containsExactly("incr a");
        assertThat(replace(1).written).containsExactly("incr a");
        reply(0, "1");
        reply(1, "1");
        assertThat(mux.failStop()).isNull();
        assertThat(events).contains("caught-up 0 replayed 1", "caught-up 1 replayed 1")
                .noneMatch(e -> e.startsWith("fail-stop"));
    }

    @Test
    void shouldStopAtOnceWhenAMajorityBreaksTheProtocolAtOneRequest() {
        Answer a = send("incr a", false);
        for (int i = 0; i < 3; i++) {
            reply(i, "1");
        }
        assertThat(a.reply).isEqualTo("1");
        reply(0, "1");
        assertThat(mux.failStop()).isNull();
        reply(1, "1");
        assertThat(mux.failStop()).startsWith("2 replicas broke the protocol at request #1 (sent a reply nobody asked"
                + " for").endsWith("replaying it into replacements would break them too");
        assertThat(events).last().isEqualTo("fail-stop #1");
    }

    /** A reply replica {@code slot} owes that cannot be framed (say, larger than {@code maxReplyBytes}). */
    private void unframable(int slot) {
        mux.onLinkFailed(links[slot], FaultKind.PROTOCOL, "reply to get cannot be framed: reply of 1209 bytes exceeds the"
                + " limit of 1024 bytes");
    }

    /**
     * A read whose reply no replica can deliver (larger than {@code maxReplyBytes} everywhere) is one client's
     * error, not the end of the group: before, f+1 such protocol breaks stopped the group for every client.
     */
    @Test
    void shouldLetTheGroupRecoverFromAReadWhoseReplyNoReplicaCanDeliver() {
        answeredByAll("incr a", "1");
        Answer get = send("get big", true);
        Answer behind = send("incr a", false);
        unframable(0);
        assertThat(get.reply).as("one break is masked").isNull();
        unframable(1);
        assertThat(mux.failStop()).isNull();
        assertThat(get.reply).isEqualTo("ERROR resh: 2 replicas broke the protocol at request #2 (get) before any answered"
                + " it (reply to get cannot be framed: reply of 1209 bytes exceeds the limit of 1024 bytes); it may or"
                + " may not have taken effect");
        assertThat(behind.reply).startsWith("ERROR resh: request #3 (incr) was queued behind request #2 (get), at which 2"
                + " replicas broke the protocol before any answered it");
        unframable(2);
        assertThat(mux.failStop()).isNull();
        assertThat(events).filteredOn(e -> e.startsWith("fault")).hasSize(3).allMatch(e -> e.contains(" PROTOCOL #2 "));
        assertThat(skips).isEmpty();
        FakeLink l = replace(0);
        reply(0, "1");
        assertThat(l.written).as("a read is not in the replay log; the write behind it, never answered, goes alone")
                .containsExactly("incr a", "incr a");
        reply(0, "2");
        assertThat(events).contains("caught-up 0 replayed 2");
    }

    /**
     * A write whose reply no replica can deliver (a pop of a huge value, say) is suspected like one that crashes
     * f+1 replicas, and dropped from the replay log when it breaks f+1 of their replacements too.
     */
    @Test
    void shouldSkipAWriteWhoseReplyBreaksTheProtocolInAMajorityAndInTheirReplacements() {
        answeredByAll("incr a", "1");
        Answer pop = send("pop big", false);
        unframable(0);
        unframable(1);
        assertThat(mux.failStop()).isNull();
        assertThat(pop.reply).startsWith("ERROR resh: 2 replicas broke the protocol at request #2 (pop) before any answered it");
        unframable(2);
        FakeLink first = replace(0);
        FakeLink second = replace(1);
        reply(0, "1");
        reply(1, "1");
        assertThat(first.written).as("the suspect goes alone").containsExactly("incr a", "pop big");
        unframable(0);
        assertThat(skips).isEmpty();
        unframable(1);
        assertThat(skips).singleElement().asString().startsWith("request #2 (pop) made 2 replicas break the protocol before"
                + " any answered it, then 2 of their replacements when replayed (reply to get cannot be framed");
        assertThat(mux.failStop()).isNull();
        assertGroupRecoversWithout("pop big");
    }

    /**
     * A request one replica answered before it left the vote is not what killed the others: their crashes do not
     * make it a suspect, so it is never dropped from the log though a server executed it.
     */
    @Test
    void shouldNotSuspectARequestAReplicaAnsweredBeforeItLeftTheVote() {
        answeredByAll("incr a", "1");
        send("incr a", false);
        reply(2, "2"); // replica 2 survives #2 and answers it
        crash(2); // then dies owing nothing: blames no request, but its answer to #2 leaves the vote
        crash(0);
        crash(1); // 0 and 1 die owing #2, which replica 2 answered
        replace(0);
        replace(1);
        reply(0, "1");
        reply(1, "1");
        crash(0);
        crash(1); // replacements die again while replaying (an outside kill, say)
        assertThat(skips).as("#2 was answered by replica 2: not the request's doing").isEmpty();
        assertThat(log.skipped()).isZero();
    }

    /** A request of death dropped while a survivor still owed it is not kept as "never answered" once it retires. */
    @Test
    void shouldNotKeepASkippedRequestAsNeverAnswered() {
        boomCrashesTwo(); // replica 2 survives but has not answered boom yet
        replace(0);
        replace(1);
        reply(0, "1");
        crash(0);
        reply(1, "1");
        crash(1); // second strike: boom is dropped from the log
        assertThat(skips).hasSize(1);
        mux.tick();
        advance(4001); // replica 2 hangs in boom: found 2 x deadline later, which retires it
        assertThat(events).anyMatch(e -> e.startsWith("fault 2 HANG #2"));
        assertThat(mux.neverAnsweredCount()).as("boom is no longer in the log: nothing will ever answer it").isZero();
    }

    /** Four writes every replica answers live: #1 incr a, #2 set b, #3 boom, #4 incr a. */
    private void fourWrites() {
        answeredByAll("incr a", "1");
        answeredByAll("set b", "OK");
        answeredByAll("boom", "done");
        answeredByAll("incr a", "2");
    }

    /**
     * A replay is pipelined, so a replacement that fails in it owes a window of entries, any of which may have done
     * it: the fault says which entries of the log it was replaying and the oldest it owed, and that the next
     * replacements replay them one at a time.
     */
    @Test
    void shouldSayWhereTheReplayWasWhenAReplacementFailsInIt() {
        fourWrites();
        crash(0); // owing nothing: an outside kill, say
        assertThat(events).last().isEqualTo("fault 0 CRASH idle after #4 process 100 exited with code 3");
        FakeLink first = replace(0);
        assertThat(first.written).as("pipelined").containsExactly("incr a", "set b", "boom", "incr a");
        reply(0, "1");
        reply(0, "OK");
        crash(0);
        assertThat(events).last().isEqualTo("fault 0 CRASH #3 process 100 exited with code 3, while replaying entries #3-#4"
                + " of 4 of the replay log (the oldest owed: request #3 (boom)); the next replacements replay these one at"
                + " a time");
        crash(1);
        FakeLink second = replace(1);
        assertThat(second.written).as("up to the window the first failed in").containsExactly("incr a", "set b");
        reply(1, "1");
        advance(4001);
        assertThat(events).last().isEqualTo("fault 1 HANG #2 no progress replaying the log for 4001 ms, stuck at request #2"
                + " (set), while replaying entry #2 of 4 of the replay log; the next replacements replay it alone");
        FakeLink third = replace(1);
        reply(1, "1");
        assertThat(third.written).containsExactly("incr a", "set b");
        crash(1);
        assertThat(events).last().isEqualTo("fault 1 CRASH #2 process 101 exited with code 3, while replaying entry #2 of 4"
                + " of the replay log alone (request #2 (set))");
        replace(1);
        crash(1);
        assertThat(events).last().isEqualTo("fault 1 CRASH #1 process 101 exited with code 3, while replaying entry #1 of 4"
                + " of the replay log (request #1 (incr)); the next replacements replay it alone");
        assertThat(skips).isEmpty();
    }

    /**
     * A request every replica answered live that fails every replacement replaying it (its replay meets a state its
     * live run did not): replayed pipelined, it is somewhere in the window a replacement owed when it died, which
     * blamed nothing, so the replacements failed at it forever. Now the next replacements replay that window one
     * request at a time, which pins it down: suspected once 2 replicas failed at it alone (one replica's replacements
     * failing again count once), and once 2 of their replacements fail at it again it is reported, once, and kept in
     * the log: its client had its answer, so dropping it would rebuild replicas that answer from a state without it.
     * The 2 of 4 replicas that executed it are not replaced, and still make a quorum: the group serves on from them.
     */
    @Test
    void shouldPinDownAndKeepARequestThatFailsOnlyItsReplaysAnsweredLive() {
        start(4, 100);
        pinDownBoomReplayedByReplicas0And1();
        String report = "request #3 (boom) kills every server that replays it, though replicas answered it when it ran:"
                + " it crashed 2 replicas when replayed alone, then 2 of their replacements; a replacement cannot be"
                + " rebuilt by replay, so it is kept in the replay log (dropping it would undo a write its client was told"
                + " of) and the group runs on the 2 of 4 replicas that executed it, restarting the others with back-off:"
                + " fix what makes the server fail on it, and the next replacement to replay it rejoins";
        assertThat(events).last().isEqualTo("fault 1 CRASH #3 process 101 exited with code 3, while replaying entry #3 of 4"
                + " of the replay log alone (request #3 (boom)); " + report);
        assertThat(mux.unreplayableRequest()).isEqualTo(report);
        assertThat(events).as("said just before the fault that found it").filteredOn(e -> e.startsWith("unreplayable"))
                .containsExactly("unreplayable #3 request #3 (boom) replacements failed 4 executed 2 not rebuilt 2 serving");
        assertThat(events.get(events.size() - 2)).startsWith("unreplayable #3");
        assertThat(unreplayables).containsExactly(report);
        assertThat(skips).as("answered live: never dropped").isEmpty();
        assertThat(events).noneMatch(e -> e.startsWith("skipped") || e.contains("DIVERGENCE") || e.startsWith("fail-stop"));
        assertThat(log.skipped()).isZero();
        assertThat(mux.slotState(2)).as("executed it: kept").isEqualTo("live");
        assertThat(mux.slotState(3)).isEqualTo("live");

        Answer incr = send("incr a", false);
        reply(2, "3");
        reply(3, "3");
        assertThat(incr.reply).as("the survivors still make a quorum").isEqualTo("3");
        Answer read = send("get b", true);
        reply(2, "b=boomed");
        reply(3, "b=boomed");
        assertThat(read.reply).as("from the state with boom in it").isEqualTo("b=boomed");

        for (int i = 0; i < 2; i++) { // still restarted, still named, reported only once
            FakeLink l = replace(i);
            reply(i, "1");
            reply(i, "OK");
            assertThat(l.written).as("boom is still replayed, alone").containsExactly("incr a", "set b", "boom");
            crash(i);
            assertThat(events).last().isEqualTo("fault " + i + " CRASH #3 process " + (100 + i) + " exited with code 3,"
                    + " while replaying entry #3 of 5 of the replay log alone (request #3 (boom))");
        }
        assertThat(events).filteredOn(e -> e.contains("kills every server")).hasSize(1);
        assertThat(unreplayables).as("reported once").hasSize(1);

        FakeLink fixed = replace(0); // the server was fixed: it replays boom, and rejoins
        reply(0, "1");
        reply(0, "OK");
        reply(0, "done");
        reply(0, "2");
        reply(0, "3");
        assertThat(fixed.written).containsExactly("incr a", "set b", "boom", "incr a", "incr a");
        assertThat(events).last().isEqualTo("caught-up 0 replayed 5");
        assertThat(mux.unreplayableRequest()).isNull();
        assertThat(mux.replayDoubtCount()).isZero();
        assertThat(mux.failStop()).isNull();
    }

    /** The same with 3 replicas: the one that executed it is too few to vote, so clients get errors, not guesses. */
    @Test
    void shouldKeepARequestThatFailsOnlyItsReplaysEvenWhenTooFewReplicasAreLeftToVote() {
        pinDownBoomReplayedByReplicas0And1();
        assertThat(mux.unreplayableRequest()).contains("kept in the replay log", "runs on the 1 of 3 replicas that"
                + " executed it, too few to agree on an answer (2 must), so clients get errors");
        assertThat(events).filteredOn(e -> e.startsWith("unreplayable")).containsExactly("unreplayable #3 request #3"
                + " (boom) replacements failed 4 executed 1 not rebuilt 2 not serving");
        assertThat(unreplayables).containsExactly(mux.unreplayableRequest());
        assertThat(skips).isEmpty();
        assertThat(events).noneMatch(e -> e.startsWith("skipped") || e.contains("DIVERGENCE") || e.startsWith("fail-stop"));
        assertThat(mux.slotState(2)).isEqualTo("live");
        // "retry shortly" and "the others are being rebuilt" were said here: no replacement gets past #3 until fixed.
        String cannot = "only 1 of 3 replicas are healthy and 2 must agree; the others cannot be rebuilt past request #3"
                + " (boom), which kills every server that replays it: fix what makes the server fail on it, and the next"
                + " replacement to replay it rejoins";
        assertThat(send("incr a", false).reply).isEqualTo("ERROR resh: " + cannot);
        assertThat(mux.notServing()).isEqualTo(cannot);
        FakeLink l = replace(0);
        reply(0, "1");
        reply(0, "OK");
        assertThat(l.written).containsExactly("incr a", "set b", "boom");
    }

    /**
     * Runs {@link #fourWrites}, then kills replicas 0 and 1 from outside; their replacements die replaying boom: first
     * pipelined, in the window #3-#4, then alone, twice for replica 0 and once for replica 1 (one replica counts once),
     * which makes it the suspect, then once more each.
     */
    private void pinDownBoomReplayedByReplicas0And1() {
        fourWrites();
        crash(0);
        crash(1); // both die owing nothing: an outside kill, say; no request is blamed
        replace(0);
        replace(1);
        for (int i = 0; i < 2; i++) {
            reply(i, "1");
            reply(i, "OK");
            crash(i); // each dies replaying boom, pipelined between set b and the last incr a
        }
        assertThat(events).filteredOn(e -> e.contains(", while replaying entries #3-#4 of 4 of the replay log (the oldest"
                + " owed: request #3 (boom))")).hasSize(2);
        for (int i = 0; i < 2; i++) {
            for (int attempt = 0; attempt < 2 - i; attempt++) { // replica 0's twice: one replica counts once
                FakeLink l = replace(i);
                assertThat(l.written).as("up to the window, pipelined").containsExactly("incr a", "set b");
                reply(i, "1");
                reply(i, "OK");
                assertThat(l.written).as("then one request at a time").containsExactly("incr a", "set b", "boom");
                crash(i);
                assertThat(events).last().isEqualTo("fault " + i + " CRASH #3 process " + (100 + i) + " exited with code 3,"
                        + " while replaying entry #3 of 4 of the replay log alone (request #3 (boom))");
            }
        }
        assertThat(mux.unreplayableRequest()).as("suspected now; reported only if it fails their replacements again")
                .isNull();
        for (int i = 0; i < 2; i++) {
            FakeLink l = replace(i);
            reply(i, "1");
            reply(i, "OK");
            assertThat(l.written).containsExactly("incr a", "set b", "boom");
            crash(i);
        }
    }

    /** A replay window a replacement was killed in (from outside) is replayed one request at a time, then as usual. */
    @Test
    void shouldReplayTheWindowOfAFailedReplayOneAtATimeUntilItIsAnswered() {
        fourWrites();
        crash(0);
        replace(0);
        reply(0, "1");
        crash(0); // killed while owing #2 to #4
        FakeLink next = replace(0);
        assertThat(next.written).containsExactly("incr a");
        reply(0, "1");
        assertThat(next.written).containsExactly("incr a", "set b");
        reply(0, "OK");
        reply(0, "done");
        assertThat(next.written).containsExactly("incr a", "set b", "boom", "incr a");
        assertThat(events).last().isEqualTo("fault 0 CRASH #2 process 100 exited with code 3, while replaying entries #2-#4"
                + " of 4 of the replay log (the oldest owed: request #2 (set)); the next replacements replay these one at a"
                + " time");
        reply(0, "2");
        assertThat(events).last().isEqualTo("caught-up 0 replayed 4");
        assertThat(mux.replayDoubtCount()).isZero();
        crash(0);
        assertThat(replace(0).written).as("pipelined again").containsExactly("incr a", "set b", "boom", "incr a");
        assertThat(skips).isEmpty();
    }

    /**
     * A replacement joins the vote once the whole log is sent, while it still owes the last replies of its replay:
     * as long as it keeps answering those, it is not hung in the live requests queued behind them.
     */
    @Test
    void shouldNotFindAReplacementHungWhileItKeepsWorkingThroughItsReplay() {
        for (int i = 0; i < 20; i++) {
            answeredByAll("set k" + i, "ok");
        }
        mux.detach(2);
        FakeLink fresh = replace(2);
        for (int i = 0; i < 12; i++) {
            reply(2, "ok"); // the whole log is sent now: it joins the vote owing the last window of 8 replays
        }
        assertThat(fresh.written).hasSize(20);
        Answer live = send("set late", false);
        reply(0, "ok");
        reply(1, "ok");
        assertThat(live.reply).isEqualTo("ok");
        for (int i = 0; i < 8; i++) { // one replayed reply every 400 ms: steady progress, far within 2 x deadline
            advance(400);
            reply(2, "ok");
        }
        assertThat(events).as("replica 2 never stopped making progress").noneMatch(e -> e.startsWith("fault 2"));
        advance(1999);
        assertThat(events).noneMatch(e -> e.startsWith("fault 2"));
        advance(2);
        assertThat(events).as("it owes the live request: timed from its last replayed reply")
                .anyMatch(e -> e.startsWith("fault 2 HANG #21 no reply to request #21 2001 ms after 2 replicas answered it"));
    }

    private Answer sendCommitted(String text) {
        Answer a = new Answer();
        mux.submitCommitted(Request.of((text + "\n").getBytes(StandardCharsets.UTF_8), text.split(" ")[0], false, 0), a);
        return a;
    }

    /**
     * A cluster's host must execute every committed write, also while too few of its servers are healthy to vote:
     * refusing it ("retry shortly") left this host without a write the other hosts had.
     */
    @Test
    void shouldKeepACommittedWriteForTheRecoveringReplicasWhenTooFewAreHealthy() {
        answeredByAll("incr a", "1");
        crash(0);
        crash(1);
        crash(2);
        Answer committed = sendCommitted("incr a");
        assertThat(committed.reply).isEqualTo("ERROR resh: only 0 of 3 replicas are healthy and 2 must agree: the request is"
                + " committed in the cluster's order and takes effect here as the recovering replicas replay it, but its"
                + " reply could not be voted; do not retry it");
        assertThat(send("incr a", false).reply).as("a request no outside order committed is refused as before")
                .endsWith("must agree; retry shortly");
        FakeLink first = replace(0);
        reply(0, "1");
        assertThat(first.written).as("the committed write is replayed").containsExactly("incr a", "incr a");
        reply(0, "2");
        Answer withOne = sendCommitted("incr a");
        assertThat(first.written).as("the one healthy replica executes it live").hasSize(3);
        reply(0, "3");
        assertThat(withOne.reply).startsWith("ERROR resh: only 1 of 3 replicas are healthy and 2 must agree: the request is"
                + " committed");
        FakeLink second = replace(1);
        reply(1, "1");
        reply(1, "2");
        reply(1, "3");
        assertThat(second.written).containsExactly("incr a", "incr a", "incr a");
        assertThat(mux.failStop()).isNull();
        assertThat(answeredByAll("incr a", "4")).isEqualTo("4");
    }

    @Test
    void shouldMaskCrashesAtDifferentRequests() {
        Answer first = send("incr a", false);
        crash(0);
        reply(1, "1");
        reply(2, "1");
        assertThat(first.reply).isEqualTo("1");
        Answer second = send("incr a", false);
        crash(1);
        assertThat(second.reply).as("too few replicas, but no request is blamed").startsWith("ERROR resh: only 0 replica(s)");
        assertThat(mux.failStop()).isNull();
        assertThat(events).extracting(e -> e.substring(0, e.indexOf(" process"))).containsExactly("fault 0 CRASH #1",
                "fault 1 CRASH #2");
    }

    @Test
    void shouldNotBlameARequestThatAReplicaAnswered() {
        Answer a = send("incr a", false);
        reply(2, "1");
        crash(0);
        crash(1);
        assertThat(mux.failStop()).isNull();
        assertThat(a.reply).startsWith("ERROR resh: only 1 replica(s) could answer incr");
    }

    @Test
    void shouldNotBlameAnyRequestForReplicasThatDieOwingNothingOrWhileReplaying() {
        answeredByAll("incr a", "1");
        crash(0);
        links[0] = new FakeLink(0);
        links[0].writable = false; // the replay is under way: the replacement owes replayed requests, no live one
        mux.attach(links[0]);
        links[0].writable = true;
        mux.onWritable(links[0]);
        crash(0);
        crash(1);
        assertThat(mux.failStop()).isNull();
        assertThat(events).noneMatch(e -> e.startsWith("fail-stop"));
    }

    @Test
    void shouldRefuseToRebuildOnceTheLogOverflowed() {
        log = null;
        ReplayLog tiny = new ReplayLog(10, 100);
        assertThat(tiny.append(Request.of(new byte[8], "x", false, 0), 1)).isTrue();
        assertThat(tiny.append(Request.of(new byte[8], "y", false, 0), 2)).isFalse();
        assertThat(tiny.overflowed()).isTrue();
        assertThat(tiny.size()).as("a log with a hole is useless, so it is dropped").isZero();
    }

    // ---- large replies, voted where they were read ----------------------------------------------

    private final List<ByteBuf> largeReplies = new ArrayList<>();

    /** A reply of {@code length} bytes of {@code fill}, ending in a newline as the line protocol frames it. */
    private static byte[] large(int length, char fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        b[length - 1] = '\n';
        return b;
    }

    /** Hands replica {@code slot} a reply held in a pooled direct buffer, as the backend decoder does. */
    private void replyLarge(int slot, byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        buf.writeBytes(bytes);
        largeReplies.add(buf);
        assertThat(mux.votesInPlace(Request.of(new byte[0], "get", true, 0), bytes.length)).isTrue();
        mux.onReply(links[slot], buf);
    }

    private void assertLargeRepliesReleased() {
        assertThat(largeReplies).as("held replies let go once every replica answered").allSatisfy(
                b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void shouldVoteOnlyLongRepliesOfVerbatimRequestsInPlace() {
        Request r = Request.of(new byte[0], "get", true, 0);
        assertThat(mux.votesInPlace(r, OrderedMultiplexer.IN_PLACE_REPLY_BYTES)).isTrue();
        assertThat(mux.votesInPlace(r, OrderedMultiplexer.IN_PLACE_REPLY_BYTES - 1)).isFalse();
        start(3, 100, List.of(new io.resh.gateway.GatewayConfig.Canonicalization(
                java.util.regex.Pattern.compile("at=\\d+"), "at=*")));
        assertThat(mux.votesInPlace(r, 1 << 20)).as("rewritten before it is compared").isFalse();
    }

    @Test
    void shouldReleaseALargeReplyTwoAgreeOnAndLetGoOfEveryCopy() {
        byte[] value = large(200_000, 'v');
        Answer a = send("get big", true);
        replyLarge(0, value);
        assertThat(a.reply).isNull();
        replyLarge(1, value);
        assertThat(a.reply).isEqualTo(new String(value, StandardCharsets.UTF_8).trim());
        replyLarge(2, value);
        assertThat(events).isEmpty();
        assertThat(mux.inFlight()).isZero();
        assertLargeRepliesReleased();
    }

    @Test
    void shouldFaultALargeReplyThatDiffersInOneByteAndNameTheByte() {
        byte[] value = large(40_000, 'v');
        byte[] flipped = value.clone();
        flipped[20_000] ^= 1;
        Answer a = send("get big", true);
        replyLarge(0, value);
        replyLarge(2, flipped);
        assertThat(a.reply).isNull();
        replyLarge(1, value);
        assertThat(a.reply).isEqualTo(new String(value, StandardCharsets.UTF_8).trim());
        assertThat(events).singleElement().asString().startsWith("fault 2 DIVERGENCE #1")
                .contains("at byte 20000 (expected 40000 bytes, got 40000): expected '...vvvvvvvvvvvvvvvv")
                .contains("got '...vvvvvvvvwvvvvvvv");
        replyLarge(2, value); // the replaced replica's old connection is no longer heard
        assertThat(events).hasSize(1);
        assertThat(mux.inFlight()).isZero();
        assertLargeRepliesReleased();
    }

    @Test
    void shouldTellALargeReplyFromAShortOneThatAReplicaSentInstead() {
        byte[] value = large(OrderedMultiplexer.IN_PLACE_REPLY_BYTES, 'v');
        Answer a = send("get big", true);
        reply(0, "ERR out of memory");
        replyLarge(1, value);
        replyLarge(2, value);
        assertThat(a.reply).isEqualTo(new String(value, StandardCharsets.UTF_8).trim());
        assertThat(events).singleElement().asString().startsWith("fault 0 DIVERGENCE #1")
                .contains("(expected 16384 bytes, got 18): expected 'vvvv").contains("got 'ERR out of memory");
        assertLargeRepliesReleased();
    }

    @Test
    void shouldRefuseALargeReadNoTwoReplicasAgreeOnAndQuoteEach() {
        Answer a = send("get big", true);
        replyLarge(0, large(20_000, 'a'));
        replyLarge(1, large(20_000, 'b'));
        replyLarge(2, large(30_000, 'c'));
        assertThat(a.reply).contains("the replicas disagree on this read");
        assertThat(mux.inFlight()).isZero();
        assertLargeRepliesReleased();
    }

    @Test
    void shouldLetGoOfALargeReplyToAReplayedRequest() {
        send("set big", false);
        for (int i = 0; i < 3; i++) {
            reply(i, "ok");
        }
        mux.detach(1);
        FakeLink fresh = new FakeLink(1);
        links[1] = fresh;
        mux.attach(fresh);
        assertThat(fresh.written).as("replayed").containsExactly("set big");
        replyLarge(1, large(20_000, 'r'));
        assertThat(events).singleElement().asString().startsWith("caught-up 1");
        assertLargeRepliesReleased();
    }
}
