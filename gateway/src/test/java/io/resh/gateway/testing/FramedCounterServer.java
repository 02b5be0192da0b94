package io.resh.gateway.testing;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A tiny stateful TCP server speaking newline-delimited or length-prefixed (u32 big-endian) frames,
 * run as its own process. {@code INCR k} answers {@code k=<n>}, {@code TIME} answers
 * {@code t=<nanoTime>} (different on every replica), {@code TWICE k} increments and answers twice (in
 * line mode: two lines for one request, as a server with a bug would), {@code EXIT} ends the process at once
 * with exit code 3, answering nothing (a request that crashes the server), {@code SPIN k} never answers: the
 * request thread waits forever, so the process lives on and that connection is never answered again (a
 * request that hangs the server, as an endless loop or a lost wake-up would). With a spin trigger file,
 * {@code SPIN k} hangs only while that file exists (deleting it: a one-off hang) and otherwise increments
 * {@code k} like {@code INCR}. With an exit trigger file, likewise, {@code EXIT k} ends the process only while
 * that file exists and otherwise increments {@code k}: a request that ran fine live can kill every server that
 * replays it later (as one whose replay meets a state its live run did not). Connections are served one after another, which
 * is all the gateway needs (it keeps one). While the trigger file exists, the next reply is off by
 * 1000 and the file deleted. With an idle limit, a connection idle that long is closed, and
 * {@code closed idle connection} printed, like servers with a keep-alive timeout do.
 *
 * <pre>java -cp ... FramedCounterServer line|length PORT [--trigger FILE] [--idle-close MILLIS] [--spin-trigger FILE]
 *     [--exit-trigger FILE]</pre>
 */
public final class FramedCounterServer {
    private final Map<String, Long> counters = new HashMap<>();
    private final Path trigger;
    private final Path spinTrigger;
    private final Path exitTrigger;

    private FramedCounterServer(Path trigger, Path spinTrigger, Path exitTrigger) {
        this.trigger = trigger;
        this.spinTrigger = spinTrigger;
        this.exitTrigger = exitTrigger;
    }

    public static void main(String[] args) throws Exception {
        boolean length = args[0].equals("length");
        Path trigger = null;
        Path spinTrigger = null;
        Path exitTrigger = null;
        int idleMillis = 0;
        for (int i = 2; i + 1 < args.length; i += 2) {
            if (args[i].equals("--trigger")) {
                trigger = Path.of(args[i + 1]);
            } else if (args[i].equals("--idle-close")) {
                idleMillis = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--spin-trigger")) {
                spinTrigger = Path.of(args[i + 1]);
            } else if (args[i].equals("--exit-trigger")) {
                exitTrigger = Path.of(args[i + 1]);
            }
        }
        FramedCounterServer server = new FramedCounterServer(trigger, spinTrigger, exitTrigger);
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[1])));
            while (true) {
                try (Socket s = listener.accept()) {
                    s.setSoTimeout(idleMillis);
                    if (length) {
                        server.serveLength(s);
                    } else {
                        server.serveLines(s);
                    }
                } catch (java.net.SocketTimeoutException idle) {
                    System.out.println("closed idle connection");
                    System.out.flush();
                } catch (IOException closed) {
                    // next connection
                }
            }
        }
    }

    private void serveLines(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
            out.write((answer(line) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private void serveLength(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        while (true) {
            int n = in.readInt();
            byte[] request = in.readNBytes(n);
            byte[] reply = answer(new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            out.writeInt(reply.length);
            out.write(reply);
            out.flush();
        }
    }

    private String answer(String request) throws IOException {
        String[] cmd = request.trim().split(" ");
        if (cmd[0].equals("EXIT") && (exitTrigger == null || Files.exists(exitTrigger))) { // a "query of death"
            Runtime.getRuntime().halt(3);
        }
        if (cmd[0].equals("SPIN") && (spinTrigger == null || Files.deleteIfExists(spinTrigger))) {
            hangForever(); // a request that hangs the server: alive, never answering
        }
        if (cmd[0].equals("TIME")) {
            return "t=" + System.nanoTime();
        }
        long v = counters.merge(cmd.length > 1 ? cmd[1] : "", 1L, Long::sum);
        if (trigger != null && Files.exists(trigger)) {
            Files.deleteIfExists(trigger);
            v += 1000;
        }
        if (cmd[0].equals("TWICE")) { // a request every replica answers twice: a "query of death"
            return cmd[1] + "=" + v + "\n" + cmd[1] + "=" + v;
        }
        return cmd[1] + "=" + v;
    }

    /** Waits without burning a core: the gateway must tell a hung server from a slow one all the same. */
    private static void hangForever() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // still hung
            }
        }
    }
}
