package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FaultKind;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QueryOfDeathTest {
    private final QueryOfDeath queryOfDeath = new QueryOfDeath(2);

    private static Request request(String text) {
        return Request.of(text.getBytes(StandardCharsets.UTF_8), text, false, 0);
    }

    @Test
    void shouldCountEnoughDistinctReplicasCrashingAtARequestOnce() {
        assertThat(queryOfDeath.failed(7, 0, FaultKind.CRASH)).isFalse();
        assertThat(queryOfDeath.failed(7, 0, FaultKind.CRASH)).as("the same replica twice is one replica").isFalse();
        assertThat(queryOfDeath.failed(7, 2, FaultKind.CRASH)).isTrue();
        assertThat(queryOfDeath.failed(7, 1, FaultKind.CRASH)).as("already counted").isFalse();
        assertThat(queryOfDeath.onlyUnaskedReplies()).isFalse();
        assertThat(queryOfDeath.what("EXIT", "process 12 exited with code 3")).isEqualTo("3 replicas crashed at"
                + " request #7 (EXIT) before any answered it (process 12 exited with code 3)");
    }

    @Test
    void shouldStartAnewAtAnotherRequest() {
        assertThat(queryOfDeath.failed(7, 0, FaultKind.CRASH)).isFalse();
        assertThat(queryOfDeath.failed(8, 1, FaultKind.CRASH)).isFalse();
        assertThat(queryOfDeath.replicas()).isEqualTo(1);
    }

    @Test
    void shouldCountProtocolBreaksAndCrashesAtOneRequestTogether() {
        assertThat(queryOfDeath.failed(3, 1, FaultKind.PROTOCOL)).isFalse();
        assertThat(queryOfDeath.failed(3, 0, FaultKind.CRASH)).isTrue();
        assertThat(queryOfDeath.onlyUnaskedReplies()).isFalse();
        assertThat(queryOfDeath.what(null, "closed its connection")).isEqualTo("2 replicas crashed or broke the"
                + " protocol at request #3 before any answered it (closed its connection)");
    }

    @Test
    void shouldStopOnlyForRepliesNobodyAskedFor() {
        assertThat(queryOfDeath.answeredUnasked(2, 0)).isFalse();
        assertThat(queryOfDeath.answeredUnasked(2, 1)).isTrue();
        assertThat(queryOfDeath.onlyUnaskedReplies()).isTrue();
        assertThat(queryOfDeath.reason("TWICE", "sent a reply nobody asked for")).isEqualTo("2 replicas broke the"
                + " protocol at request #2 (TWICE) (sent a reply nobody asked for): the request's doing, not theirs;"
                + " replaying it into replacements would break them too");
        assertThat(queryOfDeath.failed(3, 0, FaultKind.PROTOCOL)).isFalse();
        assertThat(queryOfDeath.failed(3, 1, FaultKind.PROTOCOL)).isTrue();
        assertThat(queryOfDeath.onlyUnaskedReplies()).as("replies that could not be delivered: maybe a disconnect")
                .isFalse();
    }

    @Test
    void shouldShowTheClientWhyItsReplyCouldNotBeDelivered() {
        queryOfDeath.failed(4, 0, FaultKind.PROTOCOL);
        queryOfDeath.failed(4, 1, FaultKind.PROTOCOL);
        assertThat(queryOfDeath.clientError("GET", "reply to GET cannot be framed: reply of 1209 bytes exceeds the"
                + " limit of 1024 bytes")).isEqualTo("2 replicas broke the protocol at request #4 (GET) before any"
                + " answered it (reply to GET cannot be framed: reply of 1209 bytes exceeds the limit of 1024 bytes);"
                + " it may or may not have taken effect");
        queryOfDeath.suspect(request("LPOP"), "LPOP");
        queryOfDeath.failedReplaying(0);
        assertThat(queryOfDeath.skip("x").reason()).startsWith("request #4 (LPOP) made 2 replicas break the protocol"
                + " before any answered it, then 1 of their replacements when replayed (x)");
    }

    @Test
    void shouldNameTheSuspectOnceEnoughDistinctReplicasCrashReplayingIt() {
        Request exit = request("EXIT");
        queryOfDeath.failed(7, 0, FaultKind.CRASH);
        queryOfDeath.failed(7, 1, FaultKind.CRASH);
        queryOfDeath.suspect(exit, "EXIT");
        assertThat(queryOfDeath.suspectSeq()).isEqualTo(7);
        assertThat(queryOfDeath.isSuspect(exit)).isTrue();
        assertThat(queryOfDeath.isSuspect(request("EXIT"))).as("an equal request is not the logged one").isFalse();
        assertThat(queryOfDeath.failedReplaying(0)).isFalse();
        assertThat(queryOfDeath.failedReplaying(0)).as("the same replica twice is one replica").isFalse();
        assertThat(queryOfDeath.failedReplaying(2)).isTrue();
        assertThat(queryOfDeath.suspectKept()).as("no replica answered it").isFalse();
        QueryOfDeath.Skip skip = queryOfDeath.skip("process 15 exited with code 3");
        assertThat(skip.reason()).isEqualTo("request #7 (EXIT) crashed 2 replicas before any answered it, then 2 of"
                + " their replacements when replayed (process 15 exited with code 3): the request's doing, not theirs;"
                + " it is dropped from the replay log, and the replacements are rebuilt without it");
        assertThat(skip.seq()).isEqualTo(7);
        assertThat(skip.request()).isSameAs(exit);
        assertThat(skip.slots()).as("replicas 0, 1 and 2").isEqualTo(0b111);
        assertThat(skip.processes()).as("two, then two replacements").isEqualTo(4);
        assertThat(queryOfDeath.isSuspect(exit)).as("skipped, no longer suspect").isFalse();
        assertThat(queryOfDeath.suspectSeq()).isEqualTo(-1);
    }

    @Test
    void shouldTellTheClientWhatTheRequestDidAtTheFirstStrike() {
        queryOfDeath.failed(7, 0, FaultKind.CRASH);
        queryOfDeath.failed(7, 2, FaultKind.CRASH);
        assertThat(queryOfDeath.clientError("EXIT", "process 12 exited with code 3")).isEqualTo("2 replicas crashed at request #7 (EXIT) before any"
                + " answered it; it may or may not have taken effect");
        queryOfDeath.failed(8, 0, FaultKind.HANG);
        queryOfDeath.failed(8, 1, FaultKind.CRASH);
        assertThat(queryOfDeath.clientError(null, "no reply")).isEqualTo("2 replicas crashed or hung at request #8 before any"
                + " answered it; it may or may not have taken effect");
        assertThat(queryOfDeath.queuedError(9, "SET", "EVAL")).isEqualTo("request #9 (SET) was queued behind request #8"
                + " (EVAL), at which 2 replicas crashed or hung before any answered it; it may or may not have taken effect");
    }

    @Test
    void shouldClearTheSuspectWhenItIsAnswered() {
        Request exit = request("EXIT");
        queryOfDeath.failed(7, 0, FaultKind.CRASH);
        queryOfDeath.failed(7, 1, FaultKind.CRASH);
        queryOfDeath.suspect(exit, "EXIT");
        queryOfDeath.answered(request("INCR"));
        assertThat(queryOfDeath.isSuspect(exit)).isTrue();
        queryOfDeath.answered(exit);
        assertThat(queryOfDeath.isSuspect(exit)).isFalse();
        assertThat(queryOfDeath.suspectSeq()).isEqualTo(-1);
    }

    @Test
    void shouldReplaceAnOldSuspectWithTheNextAndStartItsReplayCountAnew() {
        Request first = request("EXIT");
        Request second = request("BOOM");
        queryOfDeath.failed(7, 0, FaultKind.CRASH);
        queryOfDeath.failed(7, 1, FaultKind.CRASH);
        queryOfDeath.suspect(first, "EXIT");
        assertThat(queryOfDeath.failedReplaying(0)).isFalse();
        queryOfDeath.failed(9, 1, FaultKind.CRASH);
        assertThat(queryOfDeath.failed(9, 2, FaultKind.CRASH)).isTrue();
        queryOfDeath.suspect(second, "BOOM");
        assertThat(queryOfDeath.isSuspect(first)).isFalse();
        assertThat(queryOfDeath.isSuspect(second)).isTrue();
        assertThat(queryOfDeath.failedReplaying(1)).as("the old suspect's count is gone").isFalse();
        assertThat(queryOfDeath.failedReplaying(2)).isTrue();
        assertThat(queryOfDeath.skip("x").reason()).startsWith("request #9 (BOOM) crashed 2 replicas");
    }

    @Test
    void shouldCountHangsLikeCrashesAndSayWhichHappened() {
        assertThat(queryOfDeath.failed(4, 0, FaultKind.HANG)).isFalse();
        assertThat(queryOfDeath.failed(4, 1, FaultKind.HANG)).isTrue();
        assertThat(queryOfDeath.onlyUnaskedReplies()).as("a stall of the whole host looks the same").isFalse();
        assertThat(queryOfDeath.what("SPIN", "no reply")).isEqualTo("2 replicas hung at request #4 (SPIN) before any"
                + " answered it (no reply)");
        Request spin = request("SPIN");
        queryOfDeath.suspect(spin, "SPIN");
        assertThat(queryOfDeath.failedReplaying(2)).isFalse();
        assertThat(queryOfDeath.failedReplaying(0)).isTrue();
        assertThat(queryOfDeath.skip("no progress replaying the log for 1100 ms").reason()).isEqualTo("request #4"
                + " (SPIN) hung 2 replicas before any answered it, then 2 of their replacements when replayed (no progress"
                + " replaying the log for 1100 ms): the request's doing, not theirs; it is dropped from the replay log,"
                + " and the replacements are rebuilt without it");
    }

    @Test
    void shouldCountCrashesAndHangsAtOneRequestTogether() {
        assertThat(queryOfDeath.failed(5, 2, FaultKind.CRASH)).isFalse();
        assertThat(queryOfDeath.failed(5, 0, FaultKind.HANG)).isTrue();
        assertThat(queryOfDeath.what(null, "x")).isEqualTo("2 replicas crashed or hung at request #5 before any"
                + " answered it (x)");
        queryOfDeath.suspect(request("BOOM"), "BOOM");
        assertThat(queryOfDeath.failedReplaying(0)).isFalse();
        assertThat(queryOfDeath.failedReplaying(0)).as("the same replica twice is one").isFalse();
        assertThat(queryOfDeath.failedReplaying(1)).isTrue();
        QueryOfDeath.Skip skip = queryOfDeath.skip("y");
        assertThat(skip.reason()).startsWith("request #5 (BOOM) crashed or hung 2 replicas before any answered it, then"
                + " 2 of their replacements when replayed (y)");
        assertThat(skip.slots()).isEqualTo(0b111);
        assertThat(skip.processes()).isEqualTo(4);
    }

    @Test
    void shouldNameEveryKindOfFailureAtOneRequest() {
        queryOfDeath.failed(6, 0, FaultKind.CRASH);
        queryOfDeath.failed(6, 1, FaultKind.HANG);
        queryOfDeath.failed(6, 2, FaultKind.PROTOCOL);
        assertThat(queryOfDeath.what("X", "z")).isEqualTo("3 replicas crashed, hung or broke the protocol at request #6"
                + " (X) before any answered it (z)");
        queryOfDeath.suspect(request("X"), "X");
        assertThat(queryOfDeath.skip("z").reason()).startsWith("request #6 (X) made 3 replicas crash, hang or break the"
                + " protocol before any answered it, then 0 of their replacements");
    }

    @Test
    void shouldSayWhenTheFailuresWereFoundReplayingARequestAlone() {
        assertThat(queryOfDeath.failedReplayingAlone(3, 0, FaultKind.CRASH, true)).isFalse();
        assertThat(queryOfDeath.failedReplayingAlone(3, 0, FaultKind.CRASH, true)).as("one replica counts once").isFalse();
        assertThat(queryOfDeath.failedReplayingAlone(3, 1, FaultKind.HANG, true)).isTrue();
        assertThat(queryOfDeath.what("BOOM", "x")).isEqualTo("2 replicas crashed or hung at request #3 (BOOM) when"
                + " replayed alone, though replicas answered it when it ran (x)");
        Request boom = request("BOOM");
        queryOfDeath.suspect(boom, "BOOM");
        assertThat(queryOfDeath.suspectKept()).as("replicas answered it: never dropped").isTrue();
        queryOfDeath.failedReplaying(0);
        assertThat(queryOfDeath.failedReplaying(2)).isTrue();
        QueryOfDeath.Unreplayable found = queryOfDeath.unreplayable(2, 4);
        assertThat(found.reason()).isEqualTo("request #3 (BOOM) kills every server that replays it,"
                + " though replicas answered it when it ran: it crashed or hung 2 replicas when replayed alone, then 2 of"
                + " their replacements; a replacement cannot be rebuilt by replay, so it is kept in the replay log"
                + " (dropping it would undo a write its client was told of) and the group runs on the 2 of 4 replicas that"
                + " executed it, restarting the others with back-off: fix what makes the server fail on it, and the next"
                + " replacement to replay it rejoins");
        assertThat(found).as("the same as data").isEqualTo(new QueryOfDeath.Unreplayable(3, "request #3 (BOOM)", 4, 2, 2,
                true, found.reason()));
        assertThat(queryOfDeath.isSuspect(boom)).as("reported, no longer suspect").isFalse();
        assertThat(queryOfDeath.failed(4, 0, FaultKind.CRASH)).as("another request: counted anew").isFalse();
        assertThat(queryOfDeath.failed(4, 1, FaultKind.CRASH)).isTrue();
        assertThat(queryOfDeath.what("EXIT", "z")).as("live again").isEqualTo("2 replicas crashed at request #4 (EXIT)"
                + " before any answered it (z)");
        queryOfDeath.suspect(request("EXIT"), "EXIT");
        assertThat(queryOfDeath.suspectKept()).isFalse();
    }

    /** Still in flight, no replica answered it yet, but one may: its client may yet be told it succeeded. */
    @Test
    void shouldKeepARequestFoundReplayingItAloneWhileItIsInFlight() {
        queryOfDeath.failedReplayingAlone(5, 0, FaultKind.CRASH, false);
        queryOfDeath.failedReplayingAlone(5, 1, FaultKind.CRASH, false);
        queryOfDeath.suspect(request("SET"), "SET");
        assertThat(queryOfDeath.suspectKept()).isTrue();
        queryOfDeath.failedReplaying(0);
        queryOfDeath.failedReplaying(1);
        QueryOfDeath.Unreplayable found = queryOfDeath.unreplayable(1, 3);
        assertThat(found.serving()).as("1 of 3 cannot agree").isFalse();
        assertThat(found.notRebuilt()).isEqualTo(2);
        assertThat(found.request()).isEqualTo("request #5 (SET)");
        assertThat(found.reason()).startsWith("request #5 (SET) kills every server that replays it,"
                + " though it is in flight and its client may yet have its answer: it crashed 2 replicas when replayed"
                + " alone, then 2 of their replacements; ").contains("runs on the 1 of 3 replicas that executed it, too"
                + " few to agree on an answer (2 must), so clients get errors, restarting the others");
    }
}
