package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecOptionsTest {

    @Test
    void shouldReplicateOneCommand() {
        ExecOptions options = ExecOptions.replicated(3, List.of("sort", "data.txt"));

        assertThat(options.replicas()).isEqualTo(3);
        assertThat(options.commands()).containsOnly(List.of("sort", "data.txt"));
        assertThat(options.quorum().agreementNeeded()).isEqualTo(2);
        assertThat(options.startDir().isAbsolute()).isTrue();
    }

    @Test
    void shouldRunEachVersionThroughTheShell() {
        ExecOptions options = ExecOptions.versions(List.of("sort -n d", "python3 sort.py d"));

        assertThat(options.nVersion()).isTrue();
        assertThat(options.commands()).containsExactly(List.of("sh", "-c", "sort -n d"),
                List.of("sh", "-c", "python3 sort.py d"));
    }

    /**
     * --work-root "$DIR" with DIR unset was taken for the current directory, which then collected the resh-exec-*
     * directories (and kept them after a kill -9).
     */
    @Test
    void shouldRefuseAnEmptyWorkRoot() {
        ExecOptions options = ExecOptions.replicated(3, List.of("true")).withWorkRoot(Path.of(""));

        assertThatThrownBy(options::checkedWorkRoot).isInstanceOf(ConfigException.class)
                .hasMessage("--work-root: the directory name is empty");
    }

    /** resh exec -- "$CMD" with CMD unset was told "no command given: put it after --", which it had done. */
    @Test
    void shouldSayThatAGivenCommandNameIsEmpty() {
        assertThatThrownBy(() -> ExecOptions.replicated(3, List.of("", "x")))
                .isInstanceOf(ConfigException.class).hasMessage("COMMAND: the command's name is empty ('')");
        assertThatThrownBy(() -> ExecOptions.replicated(3, List.of(" ")))
                .isInstanceOf(ConfigException.class).hasMessage("COMMAND: the command's name is empty (' ')");
    }

    @Test
    void shouldNameTheFlagOfAnInvalidValue() {
        assertThatThrownBy(() -> ExecOptions.replicated(0, List.of("true")))
                .isInstanceOf(ConfigException.class).hasMessage("--replicas: expected 1 to 64, got 0");
        assertThatThrownBy(() -> ExecOptions.replicated(3, List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("put it after --");
        assertThatThrownBy(() -> ExecOptions.replicated(3, List.of("true")).withTimeout(Duration.ZERO))
                .isInstanceOf(ConfigException.class).hasMessage("--timeout: expected a positive duration, got 0ms");
        assertThatThrownBy(() -> ExecOptions.versions(List.of("sort", " ")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--version:");
    }

    /** -n 100000 ran out of memory in the stream voter; -n 20000 overflowed mkfifo's argument list. */
    @Test
    void shouldRejectMoreReplicasThanTheLimitBeforeBuildingAnything() {
        assertThat(ExecOptions.replicated(ExecOptions.MAX_REPLICAS, List.of("true")).replicas()).isEqualTo(64);
        assertThatThrownBy(() -> ExecOptions.replicated(100_000, List.of("true")))
                .isInstanceOf(ConfigException.class).hasMessage("--replicas: expected 1 to 64, got 100000");
        assertThatThrownBy(() -> ExecOptions.versions(java.util.Collections.nCopies(65, "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--version: expected at most 64 versions (one replica each), got 65");
    }

    @Test
    void shouldAcceptOnlyRelativeOutputsInsideTheWorkDirectory() {
        ExecOptions base = ExecOptions.replicated(3, List.of("true"));

        assertThat(base.withOutputs(List.of(Path.of("out/./a.txt"))).outputs()).containsExactly(Path.of("out/a.txt"));
        assertThatThrownBy(() -> base.withOutputs(List.of(Path.of("/etc/passwd"))))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--output:")
                .hasMessageContaining("relative");
        assertThatThrownBy(() -> base.withOutputs(List.of(Path.of("../escape.txt"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("inside the work directory");
        assertThatThrownBy(() -> base.withOutputs(List.of(Path.of("a.txt"), Path.of("./a.txt"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("declared twice");
    }

    @Test
    void shouldRejectAMissingStdinFileBeforeStartingAnything() {
        ExecOptions options = ExecOptions.replicated(3, List.of("cat")).withStdin(Path.of("no-such-input.txt"));

        assertThatThrownBy(() -> new ExecRunner(System.out, System.err).run(options))
                .isInstanceOf(ConfigException.class).hasMessage("--stdin: 'no-such-input.txt' does not exist");
    }

    @Test
    void shouldSayThatAStdinDirectoryIsADirectory(@TempDir Path dir) {
        ExecOptions options = ExecOptions.replicated(3, List.of("cat")).withStdin(dir);

        assertThatThrownBy(() -> new ExecRunner(System.out, System.err).run(options))
                .isInstanceOf(ConfigException.class).hasMessage("--stdin: '" + dir + "' is a directory, not a file");
        ExecOptions unnamed = ExecOptions.replicated(3, List.of("cat")).withStdin(Path.of(""));
        assertThatThrownBy(() -> new ExecRunner(System.out, System.err).run(unnamed))
                .isInstanceOf(ConfigException.class).hasMessage("--stdin: the file name is empty");
    }
}
