package io.resh.gateway;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;

/**
 * The socket transport of the gateway's event loop: Linux epoll when Netty's native library loads here,
 * Java NIO otherwise. Every channel on a loop must be of that loop's transport, so the loop and all its
 * client, server and datagram channels take their classes from the one choice made here.
 *
 * <p>epoll saves the gateway a selector and a heap-to-direct copy per read, which matters because the
 * gateway relays every request three times. {@code -Dresh.transport=nio} forces NIO (for comparison, or
 * where the native library misbehaves).
 */
public enum Transport {
    /** Linux epoll through Netty's native library. */
    EPOLL,
    /** Java NIO selectors; available everywhere. */
    NIO;

    private static final Transport CHOSEN = choose(System.getProperty("resh.transport", ""));

    /** The transport this JVM uses: epoll if available and not overridden. */
    public static Transport current() {
        return CHOSEN;
    }

    static Transport choose(String forced) {
        if (forced.toLowerCase(Locale.ROOT).equals("nio")) {
            return NIO;
        }
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** The I/O handler of an event loop on this transport. */
    public IoHandlerFactory ioHandlers() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** Class of a TCP connection on this transport. */
    public Class<? extends SocketChannel> socket() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** Class of a TCP listener on this transport. */
    public Class<? extends ServerChannel> serverSocket() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Class of a UDP socket on this transport. */
    public Class<? extends DatagramChannel> datagram() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
