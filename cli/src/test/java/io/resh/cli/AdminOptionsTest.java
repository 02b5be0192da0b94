package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the admin subcommands say about their own options, before any server is asked: one line naming the
 * option and what is wrong with the value the user gave.
 */
class AdminOptionsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    private static Run resh(String... args) {
        CommandLine cl = Resh.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code command} (its words, then its own arguments) with {@code --url url} and a token file. */
    private Run withUrl(String url, String... command) throws Exception {
        Path token = Files.writeString(dir.resolve("admin.token"), "f".repeat(64));
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("--url", url, "--token-file", token.toString()));
        return resh(all.toArray(String[]::new));
    }

    /** The URL client's own error quoted an API path the user never typed, and exited 2 from status. */
    @Test
    void shouldNameUrlAndTheValueGivenForAMalformedUrlInEveryAdminCommand() throws Exception {
        String why = "--url 'http://[::1' is not a valid URL: expected closing bracket for IPv6 address";
        String[][] commands = {{"status"}, {"inject", "crash", "-r", "0"}, {"events"}, {"cluster", "status"},
            {"cluster", "leader", "h2"}};
        for (String[] command : commands) {
            Run r = withUrl("http://[::1", command);

            String name = "resh " + String.join(" ", command).replaceAll(" (crash|h2).*", "");
            assertThat(r.err().strip()).as(name).isEqualTo(name + ": " + why);
            assertThat(r.exit()).as(name).isEqualTo(1);
        }
    }

    @Test
    void shouldSayWhatIsWrongWithAUrlThatParses() throws Exception {
        assertThat(withUrl("ftp://127.0.0.1:1/", "status").err().strip())
                .isEqualTo("resh status: --url must start with http:// or https://, got 'ftp://127.0.0.1:1/'");
        assertThat(withUrl("http://127.0.0.1:99999/", "status").err().strip())
                .isEqualTo("resh status: --url 'http://127.0.0.1:99999/': port 99999 is out of range 1-65535");
        assertThat(withUrl("http://:8080/", "events").err().strip())
                .isEqualTo("resh events: --url 'http://:8080/' names no host; expected e.g. http://127.0.0.1:40123/");
        assertThat(withUrl("http://127.0.0.1:1/?token=x", "status").exit()).isEqualTo(1);
    }

    /** --cacert named the file twice and not the problem: "cannot use --cacert /x.pem: /x.pem". */
    @Test
    void shouldSayWhyTheCaCertificateCannotBeUsed() throws Exception {
        Path missing = dir.resolve("missing.pem");
        Path notPem = Files.writeString(dir.resolve("notes.pem"), "not a certificate\n");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertThat(withUrl("https://127.0.0.1:1/", "status", "--cacert", missing.toString()).err().strip())
                .isEqualTo("resh status: --cacert " + missing + ": no such file or directory");
        assertThat(withUrl("https://127.0.0.1:1/", "status", "--cacert", dir.toString()).err().strip())
                .isEqualTo("resh status: --cacert " + dir + ": is a directory, not a PEM certificate file");
        assertThat(withUrl("https://127.0.0.1:1/", "events", "--cacert", notPem.toString()).err().strip())
                .isEqualTo("resh events: --cacert " + notPem + ": not a PEM certificate (expected -----BEGIN"
                        + " CERTIFICATE-----, such as the server's own certificate file)");
        Run r = withUrl("https://127.0.0.1:1/", "status", "--cacert", empty.toString());
        assertThat(r.err().strip()).isEqualTo("resh status: --cacert " + empty + ": holds no PEM certificate");
        assertThat(r.exit()).isEqualTo(1);
    }

    /** inject and events showed [--url=URL]... in their help, then refused a second --url. */
    @Test
    void shouldShowUrlAsRepeatableOnlyWhereItIs() {
        assertThat(resh("inject", "--help").out()).contains("[--url=URL]").doesNotContain("[--url=URL]...");
        assertThat(resh("events", "--help").out()).contains("[--url=URL]").doesNotContain("[--url=URL]...");
        assertThat(resh("cluster", "leader", "--help").out()).contains("[--url=URL]").doesNotContain("[--url=URL]...");
        assertThat(resh("status", "--help").out()).contains("[--url=URL]...").contains("once per cluster host");
        assertThat(resh("cluster", "status", "--help").out()).contains("[--url=URL]...");
    }

    @Test
    void shouldRefuseASecondUrlAsAUsageErrorWhereOnlyOneIsTaken() {
        Run r = resh("events", "--url", "http://127.0.0.1:1/", "--url", "http://127.0.0.1:2/");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--url").contains("should be specified only once")
                .contains("Try 'resh events --help'");
    }
}
