package io.resh.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void shouldSplitLikeAShellWithoutRunningOne() {
        assertThat(CommandLine.split("redis-server --port {port} --save \"\" --appendonly no"))
                .containsExactly("redis-server", "--port", "{port}", "--save", "", "--appendonly", "no");
        assertThat(CommandLine.split("  sh -c 'echo $HOME; x'  a\\ b \"q \\\"x\\\" \\n\"'c'"))
                .containsExactly("sh", "-c", "echo $HOME; x", "a b", "q \"x\" \\nc");
    }

    @Test
    void shouldNameTheColumnOfAnUnterminatedQuote() {
        assertThatThrownBy(() -> CommandLine.split("server --name 'oops")).hasMessage("unterminated ' quote starting at column 15");
        assertThatThrownBy(() -> CommandLine.split("server \"x")).hasMessageContaining("unterminated \" quote");
        assertThatThrownBy(() -> CommandLine.split("server \\")).hasMessageContaining("trailing backslash");
    }

    @Test
    void shouldSubstitutePlaceholdersInsideArguments() {
        assertThat(CommandLine.substitute(List.of("--port={port}", "{dir}/x", "{other}"), Map.of("port", "7", "dir", "/d")))
                .containsExactly("--port=7", "/d/x", "{other}");
    }
}
