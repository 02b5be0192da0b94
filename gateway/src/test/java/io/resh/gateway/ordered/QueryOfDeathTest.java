package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

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
        assertThat(queryOfDeath.failed(7, 0, true)).isFalse();
        assertThat(queryOfDeath.failed(7, 0, true)).as("the same replica twice is one replica").isFalse();
        assertThat(queryOfDeath.failed(7, 2, true)).isTrue();
        assertThat(queryOfDeath.failed(7, 1, true)).as("already counted").isFalse();
        assertThat(queryOfDeath.anyCrashed()).isTrue();
        assertThat(queryOfDeath.what("EXIT", "process 12 exited with code 3")).isEqualTo("3 replicas crashed at"
                + " request #7 (EXIT) before any answered it (process 12 exited with code 3)");
    }

    @Test
    void shouldStartAnewAtAnotherRequest() {
        assertThat(queryOfDeath.failed(7, 0, true)).isFalse();
        assertThat(queryOfDeath.failed(8, 1, true)).isFalse();
        assertThat(queryOfDeath.replicas()).isEqualTo(1);
    }

    @Test
    void shouldCountProtocolBreaksAndCrashesAtOneRequestTogether() {
        assertThat(queryOfDeath.failed(3, 1, false)).isFalse();
        assertThat(queryOfDeath.failed(3, 0, true)).isTrue();
        assertThat(queryOfDeath.anyCrashed()).isTrue();
        assertThat(queryOfDeath.what(null, "closed its connection")).isEqualTo("2 replicas crashed or broke the"
                + " protocol at request #3 (closed its connection)");
    }

    @Test
    void shouldDescribeProtocolBreaksAsBefore() {
        queryOfDeath.failed(2, 0, false);
        queryOfDeath.failed(2, 1, false);
        assertThat(queryOfDeath.anyCrashed()).isFalse();
        assertThat(queryOfDeath.reason("TWICE", "sent a reply nobody asked for")).isEqualTo("2 replicas broke the"
                + " protocol at request #2 (TWICE) (sent a reply nobody asked for): the request's doing, not theirs;"
                + " replaying it into replacements would break them too");
    }

    @Test
    void shouldNameTheSuspectOnceEnoughDistinctReplicasCrashReplayingIt() {
        Request exit = request("EXIT");
        queryOfDeath.failed(7, 0, true);
        queryOfDeath.failed(7, 1, true);
        queryOfDeath.suspect(exit, "EXIT");
        assertThat(queryOfDeath.suspectSeq()).isEqualTo(7);
        assertThat(queryOfDeath.isSuspect(exit)).isTrue();
        assertThat(queryOfDeath.isSuspect(request("EXIT"))).as("an equal request is not the logged one").isFalse();
        assertThat(queryOfDeath.crashedReplaying(0)).isFalse();
        assertThat(queryOfDeath.crashedReplaying(0)).as("the same replica twice is one replica").isFalse();
        assertThat(queryOfDeath.crashedReplaying(2)).isTrue();
        assertThat(queryOfDeath.replayReason("process 15 exited with code 3")).isEqualTo("request #7 (EXIT) crashed"
                + " 2 replicas before any answered it, then 2 of their replacements when replayed (process 15 exited"
                + " with code 3): the request's doing, not theirs; replaying it into more replacements would crash"
                + " them too");
    }

    @Test
    void shouldClearTheSuspectWhenItIsAnswered() {
        Request exit = request("EXIT");
        queryOfDeath.failed(7, 0, true);
        queryOfDeath.failed(7, 1, true);
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
        queryOfDeath.failed(7, 0, true);
        queryOfDeath.failed(7, 1, true);
        queryOfDeath.suspect(first, "EXIT");
        assertThat(queryOfDeath.crashedReplaying(0)).isFalse();
        queryOfDeath.failed(9, 1, true);
        assertThat(queryOfDeath.failed(9, 2, true)).isTrue();
        queryOfDeath.suspect(second, "BOOM");
        assertThat(queryOfDeath.isSuspect(first)).isFalse();
        assertThat(queryOfDeath.isSuspect(second)).isTrue();
        assertThat(queryOfDeath.crashedReplaying(1)).as("the old suspect's count is gone").isFalse();
        assertThat(queryOfDeath.crashedReplaying(2)).isTrue();
        assertThat(queryOfDeath.replayReason("x")).startsWith("request #9 (BOOM) crashed 2 replicas");
    }
}
