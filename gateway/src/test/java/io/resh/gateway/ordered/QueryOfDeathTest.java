package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryOfDeathTest {
    private final QueryOfDeath queryOfDeath = new QueryOfDeath(2);

    @Test
    void shouldNameTheRequestOnceEnoughDistinctReplicasCrashedAtIt() {
        assertThat(queryOfDeath.failed(7, 0, true)).isFalse();
        assertThat(queryOfDeath.failed(7, 0, true)).as("the same replica twice is one replica").isFalse();
        assertThat(queryOfDeath.failed(7, 2, true)).isTrue();
        assertThat(queryOfDeath.reason("EXIT", "process 12 exited with code 3")).isEqualTo("2 replicas crashed at"
                + " request #7 (EXIT) before any answered it (process 12 exited with code 3): the request's doing, not"
                + " theirs; replaying it into replacements would crash them too");
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
        assertThat(queryOfDeath.reason(null, "closed its connection")).startsWith("2 replicas crashed or broke the"
                + " protocol at request #3 (closed its connection)").endsWith("would fail them too");
    }

    @Test
    void shouldDescribeProtocolBreaksAsBefore() {
        queryOfDeath.failed(2, 0, false);
        queryOfDeath.failed(2, 1, false);
        assertThat(queryOfDeath.reason("TWICE", "sent a reply nobody asked for")).isEqualTo("2 replicas broke the"
                + " protocol at request #2 (TWICE) (sent a reply nobody asked for): the request's doing, not theirs;"
                + " replaying it into replacements would break them too");
    }
}
