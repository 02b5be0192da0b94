package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void shouldUseEpollWhereTheNativeLibraryLoads() {
        assertThat(Transport.choose("")).isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        if (Epoll.isAvailable()) {
            assertThat(Transport.EPOLL.socket()).isEqualTo(EpollSocketChannel.class);
        }
    }

    @Test
    void shouldFallBackToNioWhenAsked() {
        assertThat(Transport.choose("NIO")).isEqualTo(Transport.NIO);
        assertThat(Transport.NIO.serverSocket()).isEqualTo(NioServerSocketChannel.class);
    }

    @Test
    void shouldLoadTheNativeTransportOnLinuxX86() {
        // The gateway ships Netty's linux-x86_64 library; if it stops loading there, say why.
        if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertThat(Epoll.unavailabilityCause()).isNull();
        }
    }
}
