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

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("resh: cannot connect to 127.0.0.1:" + port + ": Connection refused");
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
        assertThat(err.toString()).startsWith("resh: --hex: 'zz' is not an even number of hexadecimal digits");
    }
}
