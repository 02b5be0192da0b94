package io.resh.gateway.testing;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A tiny stateful UDP server, run as its own process: {@code INCR k} answers {@code k=<n>},
 * {@code GET k} answers {@code k=<n>}, {@code EXIT} ends the process at once with exit code 3 (a
 * request that crashes the server), {@code SPIN} never answers: the server's one thread waits forever, so
 * the process lives on and answers nothing more (a request that hangs the server), {@code IGNORE} is
 * dropped unanswered and the server goes on (as memcached drops a datagram without its frame header). While the optional trigger file exists, the next reply is
 * corrupted (one wrong count) and the file deleted.
 *
 * <pre>java -cp ... UdpCounterServer PORT [TRIGGER_FILE]</pre>
 */
public final class UdpCounterServer {
    private UdpCounterServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path trigger = args.length > 1 ? Path.of(args[1]) : null;
        Map<String, Long> counters = new HashMap<>();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            socket.setReceiveBufferSize(1 << 20);
            byte[] buf = new byte[65536];
            while (true) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                socket.receive(in);
                String[] cmd = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).trim().split(" ");
                if (cmd[0].equals("EXIT")) {
                    Runtime.getRuntime().halt(3);
                }
                if (cmd[0].equals("IGNORE")) {
                    continue; // dropped unanswered, as UDP servers drop a datagram they cannot parse
                }
                while (cmd[0].equals("SPIN")) {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException ignored) {
                        // still hung
                    }
                }
                long value = cmd[0].equals("INCR") ? counters.merge(cmd[1], 1L, Long::sum) : counters.getOrDefault(cmd[1], 0L);
                if (trigger != null && Files.exists(trigger)) {
                    Files.deleteIfExists(trigger);
                    value += 1000;
                }
                byte[] reply = (cmd[1] + "=" + value).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
            }
        }
    }
}
