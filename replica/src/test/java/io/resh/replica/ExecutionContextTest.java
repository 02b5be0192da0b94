package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecutionContextTest {

    @Test
    void shouldHandAServiceTheGivenValuesAndTheSameRandomNumbersEveryTime() {
        ExecutionContext ctx = ExecutionContext.of(42, 1_704_067_200_000L, 7);

        assertThat(ctx.sequence()).isEqualTo(42);
        assertThat(ctx.timeMillis()).isEqualTo(1_704_067_200_000L);
        assertThat(ctx.replicaIndex()).isZero();
        long first = ctx.random().nextLong();
        assertThat(ctx.random().nextLong()).isEqualTo(first);
        assertThat(ExecutionContext.of(42, 0, 8).random().nextLong()).isNotEqualTo(first);
    }
}
