package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorePinningTest {

    private static final String REPORT_CORES =
            "grep Cpus_allowed_list /proc/self/status | cut -f2 > cpus.txt; echo ok";

    @TempDir
    Path start;
    @TempDir
    Path work;

    @BeforeAll
    static void requireTaskset() {
        assumeTrue(ProgramPath.find("taskset").isPresent(), "taskset is not installed (apt-get install util-linux)");
    }

    @Test
    void shouldParseKernelCpuLists() {
        assertThat(CorePinning.parseList("0-3,8,10-11")).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(CorePinning.parseList("5")).containsExactly(5);
    }

    @Test
    void shouldAssignCoresRoundRobin() {
        CorePinning pinning = new CorePinning(Path.of("/usr/bin/taskset"), List.of(2, 5));

        assertThat(List.of(pinning.coreOf(0), pinning.coreOf(1), pinning.coreOf(2))).containsExactly(2, 5, 2);
        assertThat(pinning.wrap(List.of("true"), 5)).containsExactly("/usr/bin/taskset", "-c", "5", "true");
    }

    @Test
    void shouldRunEveryReplicaOnTheCoreItReports() throws Exception {
        ExecRun run = ExecRun.of(ExecRun.shell(3, REPORT_CORES).withPin(true).withKeepWorkDirs(true)
                .withStartDir(start).withWorkRoot(work));

        assertThat(run.stdout()).isEqualTo("ok\n");
        List<Integer> cores = CorePinning.allowedCores();
        for (ExecResult.Replica replica : run.result().last().replicas()) {
            assertThat(replica.core()).isEqualTo(cores.get(replica.index() % cores.size()));
            assertThat(Files.readString(replica.workDir().resolve("cpus.txt")).trim())
                    .isEqualTo(Integer.toString(replica.core()));
        }
    }

    @Test
    void shouldPinSandboxedReplicasToo() throws Exception {
        assumeTrue(ProgramPath.find("bwrap").isPresent(), "bubblewrap (bwrap) is not installed");

        ExecRun run = ExecRun.of(ExecRun.shell(3, REPORT_CORES).withPin(true).withSandbox(true)
                .withKeepWorkDirs(true).withStartDir(start).withWorkRoot(work));

        assertThat(run.stdout()).isEqualTo("ok\n");
        for (ExecResult.Replica replica : run.result().last().replicas()) {
            assertThat(Files.readString(replica.workDir().resolve("cpus.txt")).trim())
                    .isEqualTo(Integer.toString(replica.core()));
        }
    }

    @Test
    void shouldNameTheCoreOfADivergentReplica() throws Exception {
        ExecRun run = ExecRun.of(ExecRun.shell(3, "if [ \"$RESH_REPLICA\" = 1 ]; then echo bad; else echo good; fi")
                .withPin(true).withStartDir(start).withWorkRoot(work));

        int core = run.result().last().replicas().get(1).core();
        assertThat(core).isGreaterThanOrEqualTo(0);
        assertThat(run.notices()).contains("replica 1 ran on core " + core, "faulty replica 1 (core " + core + ")");
    }

    @Test
    void shouldSayHowToInstallTasksetWhenItIsMissing() {
        assertThatThrownBy(() -> CorePinning.locate("/nonexistent-dir"))
                .isInstanceOf(ExecSetupException.class)
                .hasMessageContaining("apt-get install util-linux");
    }
}
