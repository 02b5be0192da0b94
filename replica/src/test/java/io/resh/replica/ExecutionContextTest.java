package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void shouldGiveAHeapBufferForTheReplyOutsideAReplica() {
        ByteBuffer reply = ExecutionContext.of(1, 0, 0).replyBuffer(100_000);
        assertThat(reply.hasArray()).isTrue();
        assertThat(reply.capacity()).isEqualTo(100_000);
        assertThatThrownBy(() -> ExecutionContext.of(1, 0, 0).replyBuffer(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Inside a replica: one buffer per request lent from the shared reply ring, a large one only. */
    @Test
    void shouldLendOneLargeReplyBufferPerRequestFromTheSharedRing(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies.create(file, 1 << 20);
        SharedBodies replica = SharedBodies.open(file);
        RequestContext ctx = new RequestContext(0, replica.replies());
        ctx.reset(1, 0, 0);
        assertThat(ctx.replyBuffer(SharedBodies.MIN_BODY_BYTES - 1).isDirect()).as("too small to be worth it").isFalse();
        ByteBuffer lent = ctx.replyBuffer(100_000);
        assertThat(lent.isDirect()).isTrue();
        assertThat(ctx.replyBuffer(100_000).isDirect()).as("a second loan would alias the first").isFalse();
        assertThatThrownBy(() -> ctx.replyBuffer(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a reply buffer cannot hold -5 bytes");

        lent.position(10).limit(90_000);
        assertThat(ctx.lentPosition(lent)).isEqualTo(10);
        assertThat(ctx.lentPosition(lent.duplicate())).as("only the lent buffer itself").isEqualTo(-1);
        assertThat(ctx.lentPosition(null)).isEqualTo(-1);

        ctx.reset(2, 0, 0);
        assertThat(ctx.lentPosition(lent)).as("the loan ended with its request").isEqualTo(-1);
        assertThat(ctx.replyBuffer(100_000).isDirect()).as("a new request, a new loan").isTrue();
        assertThat(new RequestContext(0, null).replyBuffer(100_000).isDirect()).as("no shared file").isFalse();
    }
}
