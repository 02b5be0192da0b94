package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class OtherClusterProbeTest {
    @Test
    void shouldFindARefusedConnectionUnderTheWrappersOfTheRpcStack() {
        IOException wrapped = new IOException("UNAVAILABLE: io exception",
                new RuntimeException("io exception", new ConnectException("Connection refused: /127.0.0.1:7001")));
        assertThat(OtherClusterProbe.connectionRefused(wrapped)).isTrue();
        assertThat(OtherClusterProbe.connectionRefused(new IOException("finishConnect(..) failed: Connection refused")))
                .isTrue();
    }

    @Test
    void shouldNotTakeATimeoutForARefusal() {
        assertThat(OtherClusterProbe.connectionRefused(new IOException("DEADLINE_EXCEEDED",
                new SocketTimeoutException("connect timed out")))).isFalse();
        assertThat(OtherClusterProbe.connectionRefused(new IllegalStateException((String) null))).isFalse();
    }
}
