package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FailStopException;
import io.resh.host.ServiceErrorException;
import io.resh.host.UnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a reply the client got is judged against the golden run's. */
class GroupClientTest {
    private static final GoldenRun.Expected VALUE = new GoldenRun.Expected(new byte[] {1, 2, 3}, null);
    private static final GoldenRun.Expected ERROR = new GoldenRun.Expected(null, "java.lang.IllegalArgumentException: bad op");
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(20);

    private static ReplyVerdict judge(CompletableFuture<byte[]> reply, GoldenRun.Expected expected) {
        return GroupClient.judge(reply, expected, SHORT);
    }

    @Test
    void shouldAcceptTheGoldenValue() {
        assertThat(judge(CompletableFuture.completedFuture(new byte[] {1, 2, 3}), VALUE)).isEqualTo(ReplyVerdict.CORRECT);
    }

    @Test
    void shouldCallAnyOtherValueWrong() {
        assertThat(judge(CompletableFuture.completedFuture(new byte[] {1, 2, 7}), VALUE)).isEqualTo(ReplyVerdict.WRONG);
        assertThat(judge(CompletableFuture.completedFuture(new byte[] {1, 2, 3}), ERROR)).isEqualTo(ReplyVerdict.WRONG);
    }

    @Test
    void shouldAcceptTheSameVotedServiceErrorAndRefuseAnother() {
        assertThat(judge(CompletableFuture.failedFuture(new ServiceErrorException(4, ERROR.error())), ERROR))
                .isEqualTo(ReplyVerdict.CORRECT);
        assertThat(judge(CompletableFuture.failedFuture(new ServiceErrorException(4, "java.lang.IllegalStateException: x")), ERROR))
                .isEqualTo(ReplyVerdict.WRONG);
        assertThat(judge(CompletableFuture.failedFuture(new ServiceErrorException(4, ERROR.error())), VALUE))
                .isEqualTo(ReplyVerdict.WRONG);
    }

    @Test
    void shouldTellAFailStopFromUnavailability() {
        assertThat(judge(CompletableFuture.failedFuture(new FailStopException(9, "replicas disagreed")), VALUE))
                .isEqualTo(ReplyVerdict.FAIL_STOP);
        assertThat(judge(CompletableFuture.failedFuture(new UnavailableException("closed")), VALUE))
                .isEqualTo(ReplyVerdict.UNAVAILABLE);
        assertThat(judge(CompletableFuture.failedFuture(new IllegalArgumentException("too big")), VALUE))
                .isEqualTo(ReplyVerdict.UNAVAILABLE);
    }

    @Test
    void shouldCallAReplyThatNeverCameUnavailable() {
        assertThat(judge(new CompletableFuture<>(), VALUE)).isEqualTo(ReplyVerdict.UNAVAILABLE);
    }
}
