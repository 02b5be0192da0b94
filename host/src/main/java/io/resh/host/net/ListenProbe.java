package io.resh.host.net;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a server could listen on an address now, asked before anything is started for it: a taken port found only
 * at the bind had a group started, logged and stopped for nothing. A port taken between the probe and the bind
 * still fails there.
 */
public final class ListenProbe {
    private ListenProbe() {
    }

    /**
     * Why {@code host:port} cannot be listened on now, or null if it can. Port 0 (any free port) checks the host
     * alone.
     */
    public static IOException whyNot(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // like the Netty and gRPC servers: a port in TIME_WAIT is free to use
            probe.bind(new InetSocketAddress(host, port));
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /** Why a datagram server cannot bind {@code host:port} now, or null if it can (a TCP probe says nothing of it). */
    public static IOException whyNotDatagram(String host, int port) {
        try (DatagramSocket probe = new DatagramSocket(null)) {
            probe.bind(new InetSocketAddress(host, port));
            return null;
        } catch (IOException e) {
            return e;
        }
    }
}
