package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Replicas die with resh where setpriv works; where it does not, resh says so before it starts them. */
class LaunchPrefixTest {
    @Test
    void shouldWarnOfNothingAndKillReplicasWithResh_whereSetprivWorks() {
        assumeTrue(ProgramPath.find("setpriv").isPresent(), "needs util-linux's setpriv");
        assertThat(ExecRunner.launchWarning()).isEmpty();
        assertThat(LaunchPrefix.wrap(List.of("true"))).containsSequence("--pdeathsig", "KILL").endsWith("true");
    }

    @Test
    void shouldSayWhyReplicasOutliveAKillAndHowToFixIt() {
        assertThat(LaunchPrefix.parentDeathWarning("setpriv is not on the PATH"))
                .startsWith("setpriv is not on the PATH, so the replicas will not die with resh: killed with kill -9")
                .endsWith("apt-get install util-linux (for setpriv --pdeathsig) to have them die with it");
    }
}
