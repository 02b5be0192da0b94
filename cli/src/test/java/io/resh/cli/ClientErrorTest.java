package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.client.ClientProtocol;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A client command against an address where nothing listens: one line that says where and why. */
class ClientErrorTest {
    @Test
    void shouldSayWhichAddressRefusedTheConnectionInOneLine() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort(); // closed again: nothing listens there
        }
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));

        int code = cl.execute("kv", "--port", Integer.toString(port), "get", "greeting");

        assertThat(code).as("no answer: its own status, apart from a usage error's and a service error's 2").isEqualTo(3);
        assertThat(err.toString().strip()).isEqualTo("resh kv: cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void shouldExitWithTheNoAnswerStatusWhenACallFindsNothingListening() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));

        assertThat(cl.execute("call", "-p", Integer.toString(port), "x")).isEqualTo(3);
        assertThat(err.toString().strip()).isEqualTo("resh call: cannot connect to 127.0.0.1:" + port + ": Connection refused");
    }

    /** -p 99999 failed with the JDK's "port out of range:99999", which names no option. */
    @Test
    void shouldNamePortWhenItIsOutOfRange() {
        String[][] commands = {{"call", "-p", "99999", "x"}, {"kv", "-p", "99999", "get", "x"}, {"call", "--port", "0", "x"},
            {"kv", "--port", "-1", "size"}};
        for (String[] command : commands) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err, true));

            assertThat(cl.execute(command)).as(String.join(" ", command)).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("resh " + command[0] + ": --port: expected 1 to 65535, got " + command[2]);
        }
    }

    @Test
    void shouldListWhatEachExitStatusMeansInTheHelp() {
        for (String command : new String[] {"call", "kv"}) {
            CommandLine cl = Resh.commandLine();
            StringWriter out = new StringWriter();
            cl.setOut(new PrintWriter(out, true));

            assertThat(cl.execute(command, "--help")).isZero();
            assertThat(out.toString()).as(command).contains("Exit status:")
                    .containsPattern("\\n\\s+2\\s+a bad option, or the group refused the request")
                    .containsPattern("\\n\\s+3\\s+no answer, so the outcome is unknown: nothing accepts connections")
                    .containsPattern("the group answered that it did not\\s+finish\\s+in\\s+time");
        }
    }

    /**
     * "not committed within 10000 ms …; it may still be committed later" exited with 2, a refusal's status, though
     * the increment was applied once the paused hosts went on: an unknown outcome is 3, as for a lost connection.
     */
    @Test
    void shouldExitWithTheNoAnswerStatusWhenTheOutcomeIsUnknown() throws Exception {
        String message = "not committed within 10000 ms (no leader, or no majority of hosts); it may still be committed later";
        for (String[] command : new String[][] {{"kv", "incr", "c"}, {"call", "x"}}) {
            try (OneReplyServer server = new OneReplyServer(ClientProtocol.STATUS_OUTCOME_UNKNOWN, message)) {
                StringWriter err = new StringWriter();
                int code = run(server.port(), err, command);

                assertThat(code).as(command[0]).isEqualTo(3);
                assertThat(err.toString().strip()).isEqualTo("resh " + command[0] + ": outcome unknown: " + message);
            }
        }
    }

    /** A request the group did not run (it is closed) is still a refusal. */
    @Test
    void shouldExitWithTheRefusalStatusWhenTheGroupIsUnavailable() throws Exception {
        try (OneReplyServer server = new OneReplyServer(ClientProtocol.STATUS_UNAVAILABLE, "group kv is closed")) {
            StringWriter err = new StringWriter();

            assertThat(run(server.port(), err, "kv", "incr", "c")).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo("resh kv: unavailable: group kv is closed");
        }
    }

    private static int run(int port, StringWriter err, String... command) {
        CommandLine cl = Resh.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] args = new String[command.length + 2];
        args[0] = command[0];
        args[1] = "-p";
        args[2] = Integer.toString(port);
        System.arraycopy(command, 1, args, 3, command.length - 1);
        return cl.execute(args);
    }

    /** A front door that answers the first request on one connection with {@code status} and {@code message}. */
    private static final class OneReplyServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread;

        OneReplyServer(byte status, String message) throws IOException {
            this(in -> {
                int length = in.readInt();
                long correlation = in.readLong();
                in.readFully(new byte[length - 8]);
                byte[] text = message.getBytes(StandardCharsets.UTF_8);
                ByteBuffer reply = ByteBuffer.allocate(4 + 9 + text.length);
                reply.putInt(9 + text.length).putLong(correlation).put(status).put(text);
                return reply.array();
            });
        }

        /** Answers whatever comes with {@code answer}'s bytes. */
        OneReplyServer(Answer answer) throws IOException {
            thread = new Thread(() -> {
                try (Socket s = socket.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    s.getOutputStream().write(answer.to(in));
                    s.getOutputStream().flush();
                    // Stay open until the client hangs up: a close could reach it before the reply is read.
                    while (in.read() >= 0) {
                        // discard
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private interface Answer {
        byte[] to(DataInputStream request) throws IOException;
    }

    @Test
    void shouldNameTheFileAndTheProblemOfAFileError() {
        assertThat(Resh.oneLine(new java.io.UncheckedIOException(new java.nio.file.NoSuchFileException("/x/report.json"))))
                .isEqualTo("/x/report.json: no such file or directory");
        assertThat(Resh.oneLine(new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/x"))))
                .isEqualTo("/x: permission denied");
        assertThat(Resh.oneLine(new java.io.UncheckedIOException(new java.io.IOException("disk full"))))
                .isEqualTo("disk full");
        assertThat(Resh.oneLine(new IllegalArgumentException("--window must be at least 1, got 0")))
                .isEqualTo("--window must be at least 1, got 0");
    }

    /** A service's exception message with line breaks was printed over several lines by resh call and resh kv. */
    @Test
    void shouldKeepAServiceErrorOnOneLine() {
        assertThat(Resh.oneLine(new io.resh.client.ReshRemoteException(io.resh.client.ClientProtocol.STATUS_SERVICE_ERROR,
                "java.lang.IllegalStateException: bad input\r\nat line 2\nend")))
                .isEqualTo("service error: java.lang.IllegalStateException: bad input\\nat line 2\\nend");
    }

    @Test
    void shouldSayThatAHexRequestIsNotHex() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));

        assertThat(cl.execute("call", "--hex", "zz")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("resh call: REQUEST: expected hexadecimal digits, two per byte (--hex), got 'zz'");
    }
}
