package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.replica.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The replica's stdin and stdout pipes are enlarged before its command runs (a whole group: ReplicaLauncherTest). */
class PipeCapacityTest {
    @Test
    void shouldKeepTheDefaultPipesWithoutPerlOrBelowTheDefaultSize() {
        assertThat(PipeCapacity.prefix(null, 1 << 20, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 0, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 64 * 1024, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 4 << 20, 1 << 20)).last().isEqualTo(Integer.toString(1 << 20));
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 256 << 10, 0)).first().isEqualTo("/usr/bin/perl");
    }

    @Test
    void shouldEnlargeThePipesWhereverPerlIsInstalled() {
        // Guards the default: a prefix silently empty (a misread system maximum, say) would cost nothing visible.
        assumeTrue(Binaries.which("perl").isPresent(), "needs perl");
        assertThat(PipeCapacity.bytes()).isGreaterThan(64 * 1024);
    }

    @Test
    void shouldRunTheCommandWithBothPipesEnlarged() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null, "needs perl");
        List<String> cmd = new ArrayList<>(PipeCapacity.prefix(perl, 256 << 10, 1 << 20));
        // The command run after the prefix reports the capacity of its own stdin and stdout (F_GETPIPE_SZ), and
        // what the prefix left in its environment for the replica's HELLO.
        cmd.addAll(List.of(perl, "-e", "print fcntl(STDIN, 1032, 0), ' ', fcntl(STDOUT, 1032, 0), ' ',"
                + " $ENV{" + Frame.Hello.PIPE_BYTES_VARIABLE + "} // 'unset'"));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo((256 << 10) + " " + (256 << 10) + " " + (256 << 10));
    }
}
