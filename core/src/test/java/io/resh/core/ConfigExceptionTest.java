package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;

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
}
