package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigExceptionTest {
    @Test
    void shouldPrefixTheFieldWithTheFileName() {
        IOException cause = new IOException("disk on fire");
        ConfigException e = new ConfigException("checkpoint.every", "expected a positive number, got -5", cause)
                .inFile(Path.of("conf", "kv.yaml"));

        assertThat(e.field()).isEqualTo("kv.yaml: checkpoint.every");
        assertThat(e).hasMessage("kv.yaml: checkpoint.every: expected a positive number, got -5").hasCause(cause);
    }

    @Test
    void shouldLeaveAnErrorAboutTheWholeFileAsItIs() {
        Path file = Path.of("conf", "kv.yaml");
        ConfigException e = new ConfigException(file.toString(), "no such file");

        assertThat(e.inFile(file)).isSameAs(e);
    }

    @Test
    void shouldSayWhatAFieldTakesAndWhatItGot() {
        assertThat(ConfigException.expected("--port", "1 to 65535", "'x'")).hasMessage("--port: expected 1 to 65535, got 'x'");
        assertThatThrownBy(() -> ConfigException.requireBetween("--window", 0, 1, 10_000))
                .hasMessage("--window: expected 1 to 10000, got 0");
        assertThatThrownBy(() -> ConfigException.requireAtLeast("--rounds", -3, 1))
                .hasMessage("--rounds: expected at least 1, got -3");
        ConfigException.requireBetween("--window", 10_000, 1, 10_000);
        ConfigException.requireAtLeast("--rounds", 1, 1);
    }

    @Test
    void shouldNameTheFieldAsTheUserGaveIt() {
        IOException cause = new IOException("disk on fire");
        ConfigException e = new ConfigException("replicas", "expected 1 to 9, got 0", cause).named("--replicas");

        assertThat(e.field()).isEqualTo("--replicas");
        assertThat(e).hasMessage("--replicas: expected 1 to 9, got 0").hasCause(cause);
    }
}
