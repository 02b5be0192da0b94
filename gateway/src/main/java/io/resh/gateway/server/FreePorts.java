package io.resh.gateway.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a loopback port for a replica that is free right now and lies <em>outside</em> the kernel's
 * ephemeral range.
 *
 * <p>Why outside: between picking a port and the server binding it, the kernel could hand the same
 * number to any outgoing socket as its local port (the gateway's own connections to the other
 * replicas included); the server would then fail to bind, and a UDP readiness probe could mistake
 * that other socket for the server. Ports the kernel never assigns on its own can only be taken by
 * someone binding them explicitly, which the start then reports and the group retries. The same holds for
 * any port a process picks now and binds later, or binds again after a restart: a cluster host's Raft and
 * client ports in tests and benchmarks, a benchmark's local servers.
 */
public final class FreePorts {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;

    private FreePorts() {
    }

    /** A free loopback TCP port outside the ephemeral range (inside it only when there is no room outside). */
    public static int pick() {
        return pick(false);
    }

    /** A free loopback TCP or UDP port outside the ephemeral range (inside it only when there is no room outside). */
    public static int pick(boolean udp) {
        int[] ephemeral = ephemeralRange();
        int from;
        int to;
        if (ephemeral[0] - LOWEST >= 1000) {
            from = LOWEST;
            to = ephemeral[0] - 1;
        } else if (65535 - ephemeral[1] >= 1000) {
            from = ephemeral[1] + 1;
            to = 65535;
        } else {
            return bindAny(udp);
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(from, to + 1);
            if (isFree(port, udp)) {
                return port;
            }
        }
        return bindAny(udp);
    }

    /** The kernel's ephemeral port range (Linux), or the IANA one where it can't be read. */
    private static int[] ephemeralRange() {
        try {
            // Not Files.readString: procfs reports a size of 0, and a sized read then stops short.
            String[] f = Files.readAllLines(RANGE).get(0).trim().split("\\s+");
            return new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {49152, 65535};
        }
    }

    private static boolean isFree(int port, boolean udp) {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            if (udp) {
                new DatagramSocket(address).close();
            } else {
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(address);
                }
            }
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int bindAny(boolean udp) {
        try {
            if (udp) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port: " + e.getMessage(), e);
        }
    }
}
