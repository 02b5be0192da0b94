package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real bubblewrap sandboxes: what a sandboxed replica can and cannot reach. */
class SandboxTest {

    @TempDir
    Path start;
    @TempDir
    Path work;
    private ServerSocket server;
    private final List<Socket> accepted = new ArrayList<>();

    @BeforeAll
    static void requireBubblewrap() {
        assumeTrue(ProgramPath.find("bwrap").isPresent(),
                "bubblewrap (bwrap) is not installed; install it with apt-get install bubblewrap");
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : accepted) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private ExecOptions sandboxed(String script, String... args) {
        return ExecRun.shell(3, script, args).withSandbox(true).withStartDir(start).withWorkRoot(work);
    }

    @Test
    void shouldBlockNetworkAccess() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String connect = "bash -c 'echo hello > /dev/tcp/127.0.0.1/" + server.getLocalPort() + "'";

        ExecRun boxed = ExecRun.of(sandboxed(connect));

        assertThat(boxed.result().verdict()).isEqualTo(ExecResult.Verdict.AGREED);
        assertThat(boxed.result().exitCode()).isEqualTo(1);
        assertThat(boxed.stderr()).containsAnyOf("Connection refused", "Network is unreachable");
        server.setSoTimeout(200);
        assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);

        // The same command outside the sandbox does reach the port: the test can tell the difference.
        ExecRun open = ExecRun.of(sandboxed(connect).withSandbox(false));
        assertThat(open.result().exitCode()).isZero();
        server.setSoTimeout(10_000);
        accepted.add(server.accept());
    }

    @Test
    void shouldMakeTheFileSystemOutsideTheWorkDirectoryReadOnly() throws Exception {
        // The start directory is visible to the replica (its inputs live there) but must stay read-only.
        ExecRun run = ExecRun.of(sandboxed("echo x > \"$1/written\"", start.toString()));

        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.AGREED);
        assertThat(run.result().exitCode()).isNotZero();
        assertThat(run.stderr()).contains("Read-only file system");
        assertThat(start.resolve("written")).doesNotExist();
    }

    @Test
    void shouldHideTheHostTmpBehindAPrivateOne(@TempDir Path hostTmpDir) throws Exception {
        ExecRun run = ExecRun.of(sandboxed(
                "echo x > \"$1/written\" || echo refused; echo private > /tmp/probe && cat /tmp/probe",
                hostTmpDir.toString()));

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("refused\nprivate\n");
        assertThat(hostTmpDir.resolve("written")).doesNotExist();
    }

    @Test
    void shouldLetTheReplicaWriteItsWorkDirectoryAndVoteTheOutput() throws Exception {
        Files.writeString(start.resolve("data.txt"), "b\na\n");

        ExecRun run = ExecRun.of(sandboxed("sort data.txt > sorted.txt").withOutputs(List.of(Path.of("sorted.txt"))));

        assertThat(run.result().exitCode()).isZero();
        assertThat(Files.readString(start.resolve("sorted.txt"))).isEqualTo("a\nb\n");
    }

    @Test
    void shouldRunInItsOwnPidNamespace() throws Exception {
        ExecRun run = ExecRun.of(sandboxed("cat /proc/1/comm"));

        assertThat(run.stdout()).isEqualTo("bwrap\n");
    }

    @Test
    void shouldBuildACommandLineThatDiesWithResh() {
        Sandbox sandbox = new Sandbox(Path.of("/usr/bin/bwrap"));

        List<String> argv = sandbox.wrap(List.of("echo", "hi"), Path.of("/w/replica-0"), Path.of("/home/u"));

        assertThat(argv).containsSubsequence("--ro-bind", "/", "/", "--tmpfs", "/tmp", "--bind", "/w/replica-0",
                "/w/replica-0", "--chdir", "/w/replica-0", "--unshare-net", "--unshare-pid", "--die-with-parent",
                "--", "echo", "hi");
    }

    @Test
    void shouldSayHowToInstallBubblewrapWhenItIsMissing() {
        assertThatThrownBy(() -> Sandbox.locate("/nonexistent-dir"))
                .isInstanceOf(ExecSetupException.class)
                .hasMessageContaining("apt-get install bubblewrap")
                .satisfies(e -> assertThat(((ExecSetupException) e).exitCode()).isEqualTo(ExitCodes.SETUP_FAILED));
    }
}
