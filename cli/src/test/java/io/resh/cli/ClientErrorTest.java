package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
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
                    .containsPattern("\\n\\s+2\\s+a bad option, or the group answered with an error")
                    .containsPattern("\\n\\s+3\\s+no answer: nothing accepts connections at --host and --port");
        }
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
