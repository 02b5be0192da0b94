package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.replica.Frame;
import io.resh.replica.ReplicaMain;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The replica's stdin and stdout pipes are enlarged before its command runs (a whole group: ReplicaLauncherTest). */
class ReplicaPipesTest {
    @Test
    void shouldKeepTheDefaultPipesWithoutPerlOrBelowTheDefaultSize() {
        assertThat(ReplicaPipes.prefix(null, 1 << 20, 1 << 20)).isEmpty();
        // Perl still moves the channel off fd 1; the size 0 asks for no enlargement
        assertThat(ReplicaPipes.prefix("/usr/bin/perl", 0, 1 << 20)).first().isEqualTo("/usr/bin/perl");
        assertThat(ReplicaPipes.prefix("/usr/bin/perl", 0, 1 << 20)).last().isEqualTo("0");
        assertThat(ReplicaPipes.prefix("/usr/bin/perl", 64 * 1024, 1 << 20)).last().isEqualTo("0");
        assertThat(ReplicaPipes.prefix("/usr/bin/perl", 4 << 20, 1 << 20)).last().isEqualTo(Integer.toString(1 << 20));
        assertThat(ReplicaPipes.prefix("/usr/bin/perl", 256 << 10, 0)).first().isEqualTo("/usr/bin/perl");
    }

    /** A host without Perl says what its replicas lose and how to get it back; one with Perl says nothing. */
    @Test
    void shouldWarnOnlyWherePerlIsMissing() {
        assertThat(ReplicaPipes.perlMissing("/usr/bin/perl")).isEmpty();
        assertThat(ReplicaPipes.perlMissing(null)).hasValueSatisfying(why -> assertThat(why)
                .startsWith("perl is not on the PATH")
                .contains("read as a broken frame")
                .endsWith("apt-get install perl-base"));
    }

    @Test
    void shouldEnlargeThePipesWhereverPerlIsInstalled() {
        // Guards the default: a prefix silently empty (a misread system maximum, say) would cost nothing visible.
        assumeTrue(Binaries.which("perl").isPresent(), "needs perl");
        assertThat(ReplicaPipes.bytes()).isGreaterThan(64 * 1024);
    }

    /** What the command writes on stdout reaches stderr; what it writes on the named descriptor, the pipe. */
    @Test
    void shouldMoveTheChannelOffStdoutAndPointStdoutAtStderr() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null, "needs perl");
        for (int size : new int[] {0, 256 << 10}) {
            List<String> cmd = new ArrayList<>(ReplicaPipes.prefix(perl, size, 1 << 20));
            cmd.addAll(List.of("sh", "-c", "echo on-stdout; echo on-channel >&$" + ReplicaMain.CHANNEL_FD_VARIABLE
                    + "; echo \"fd $" + ReplicaMain.CHANNEL_FD_VARIABLE + "\" >&2"));
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as("size %d", size).isEqualTo("on-channel\n");
            assertThat(err).as("size %d", size).startsWith("on-stdout\nfd ").doesNotContain("on-channel");
            assertThat(err.strip()).as("a descriptor past stderr").matches("(?s).*fd [3-9][0-9]*");
        }
    }

    @Test
    void shouldRunTheCommandWithBothPipesEnlarged() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null, "needs perl");
        List<String> cmd = new ArrayList<>(ReplicaPipes.prefix(perl, 256 << 10, 1 << 20));
        // The command run after the prefix reports the capacity of its stdin and of its channel (F_GETPIPE_SZ), and
        // what the prefix left in its environment for the replica's HELLO.
        cmd.addAll(List.of(perl, "-e", "open(my $c, '>&=', $ENV{" + ReplicaMain.CHANNEL_FD_VARIABLE + "}) or die;"
                + " print $c fcntl(STDIN, 1032, 0), ' ', fcntl($c, 1032, 0), ' ',"
                + " $ENV{" + Frame.Hello.PIPE_BYTES_VARIABLE + "} // 'unset'"));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo((256 << 10) + " " + (256 << 10) + " " + (256 << 10));
    }
}
