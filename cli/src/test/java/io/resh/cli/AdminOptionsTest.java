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

    /**
     * A token file with a comment line put the whole file into the Authorization header, and the HTTP client's
     * error quoted it: the token printed on the terminal.
     */
    @Test
    void shouldRefuseATokenFileHoldingMoreThanTheTokenWithoutPrintingIt() throws Exception {
        String secret = "0123456789abcdef0123456789abcdef";
        Path commented = Files.writeString(dir.resolve("commented.token"), secret + "\n# rotated 2026-11-27\n");
        Path spaced = Files.writeString(dir.resolve("spaced.token"), "Bearer " + secret);
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        for (String[] command : new String[][] {{"status"}, {"events"}, {"inject", "crash", "-r", "0"}}) {
            Run r = resh(concat(command, "--url", "http://127.0.0.1:1/", "--token-file", commented.toString()));
            assertThat(r.err()).as("%s", List.of(command)).doesNotContain(secret)
                    .contains("the admin token file " + commented + " must hold the token alone, as the server wrote"
                            + " it; it holds 2 lines (not shown: it holds the token)");
            assertThat(r.err().strip().lines()).hasSize(1);
            assertThat(r.exit()).isEqualTo(1);
        }
        Run r = resh("status", "--url", "http://127.0.0.1:1/", "--token-file", spaced.toString());
        assertThat(r.err()).doesNotContain(secret).contains("it holds spaces or control characters");
        assertThat(resh("status", "--url", "http://127.0.0.1:1/", "--token-file", empty.toString()).err().strip())
                .isEqualTo("resh status: the admin token file " + empty + " is empty; the server writes its token there"
                        + " on first start (pass --token-file with the one it uses)");
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
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
