package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code resh kv} refuses what it cannot send, before it connects to anything. */
class KvCommandTest {
    /** What {@code resh kv ARGS} says on stderr, given that it exits with status 2. */
    private static String refusal(String... args) {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "kv";
        all[1] = "--port";
        all[2] = "1"; // nothing is sent: a connection attempt would fail with another message
        System.arraycopy(args, 0, all, 3, args.length);
        assertThat(cl.execute(all)).isEqualTo(2);
        return err.toString().strip();
    }

    /** Extra arguments were silently dropped: 'kv incr visits 5' incremented by 1 and said so. */
    @Test
    void shouldRefuseArgumentsTheOperationDoesNotTake() {
        assertThat(refusal("incr", "visits", "5")).isEqualTo("resh kv: incr: expected KEY, got 'visits' '5'");
        assertThat(refusal("set", "k", "v", "w")).isEqualTo("resh kv: set: expected KEY VALUE, got 'k' 'v' 'w'");
        assertThat(refusal("size", "all")).isEqualTo("resh kv: size: expected no arguments, got 'all'");
    }

    @Test
    void shouldSayWhatAnOperationNeeds() {
        assertThat(refusal("set", "k")).isEqualTo("resh kv: set: expected KEY VALUE, got 'k'");
        assertThat(refusal("get")).isEqualTo("resh kv: get: expected KEY, got none");
        assertThat(refusal("put", "k")).isEqualTo("resh kv: OP: expected set, get, del, incr, size or mtime, got 'put'");
    }
}
