package io.resh.gateway.server;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Whether some process has bound a UDP port: the only readiness signal an unmodified UDP server gives.
 * On Linux the kernel's socket tables are read, which disturbs nothing; elsewhere a bind attempt
 * tells (and is released at once).
 */
final class UdpPorts {
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

    private UdpPorts() {
    }

    static boolean isBound(int port) {
        if (Files.isReadable(TABLES.get(0))) {
            String hex = String.format(Locale.ROOT, ":%04X ", port);
            for (Path table : TABLES) {
                try {
                    for (String line : Files.readAllLines(table)) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 1 && (f[1] + " ").endsWith(hex)) {
                            return true;
                        }
                    }
                } catch (IOException ignored) {
                    // table absent (no IPv6): look at the other one
                }
            }
            return false;
        }
        try {
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).close();
            return false;
        } catch (SocketException inUse) {
            return true;
        }
    }
}
