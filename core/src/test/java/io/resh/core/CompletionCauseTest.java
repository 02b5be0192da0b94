package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CompletionCauseTest {

    @Test
    void shouldSeeThroughTheWrapperADependentStageAddsAndLeaveOtherFailuresAlone() {
        FailStopException failStop = new FailStopException(7, "no two replies agreed");
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CompletableFuture.<byte[]>failedFuture(failStop).thenApply(b -> b).whenComplete((r, e) -> seen.set(e));

        assertThat(seen.get()).isInstanceOf(CompletionException.class);
        assertThat(CompletionCause.of(seen.get())).isSameAs(failStop);
        assertThat(CompletionCause.of(failStop)).isSameAs(failStop);
        CompletionException bare = new CompletionException("no cause", null);
        assertThat(CompletionCause.of(bare)).isSameAs(bare);
    }
}
