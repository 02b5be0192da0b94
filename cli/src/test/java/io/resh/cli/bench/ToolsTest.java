package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Missing external programs are named with the package that installs them, never a stack trace. */
class ToolsTest {
    @Test
    void shouldNameTheMissingProgramAndThePackageToInstall() {
        assertThatThrownBy(() -> Tools.require("gateway-redis", "sh", "dash", "resh-no-such-tool", "resh-tools"))
                .isInstanceOf(ScenarioUnavailableException.class)
                .hasMessage("scenario 'gateway-redis' needs resh-no-such-tool on the PATH; on Debian or Ubuntu:"
                        + " sudo apt-get install resh-tools");
    }

    @Test
    void shouldFindAProgramOnThePath() {
        assertThat(Tools.find("sh")).isPresent();
        assertThat(Tools.find("resh-no-such-tool")).isEmpty();
    }
}
