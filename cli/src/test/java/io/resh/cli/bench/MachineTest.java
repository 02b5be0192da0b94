package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineTest {
    private static final String DYNAMIC_NONE = String.join("\n",
            "# Preemption Model",
            "CONFIG_PREEMPT_BUILD=y",
            "CONFIG_PREEMPT_NONE=y",
            "# CONFIG_PREEMPT_VOLUNTARY is not set",
            "# CONFIG_PREEMPT is not set",
            "# CONFIG_PREEMPT_LAZY is not set",
            "CONFIG_PREEMPT_DYNAMIC=y",
            "CONFIG_HZ_250=y",
            "CONFIG_HZ=250",
            "");

    @Test
    void shouldReadTheBuiltInModelOfADynamicKernelBootedWithoutAChoice() {
        assertThat(Machine.scheduler(DYNAMIC_NONE, "console=ttyS0 quiet")).isEqualTo("preempt none, HZ 250");
    }

    @Test
    void shouldPreferTheModelChosenOnTheCommandLineOfADynamicKernel() {
        assertThat(Machine.scheduler(DYNAMIC_NONE, "quiet preempt=full\n")).isEqualTo("preempt full, HZ 250");
    }

    @Test
    void shouldIgnoreTheCommandLineOfAKernelWithAFixedModel() {
        String full = "CONFIG_PREEMPT=y\nCONFIG_HZ=1000\n";
        assertThat(Machine.scheduler(full, "preempt=none")).isEqualTo("preempt full, HZ 1000");
    }

    @Test
    void shouldSayUnknownWithoutAKernelConfiguration() {
        assertThat(Machine.scheduler(null, "preempt=full")).isEqualTo("unknown");
        assertThat(Machine.scheduler("CONFIG_SMP=y\n", null)).isEqualTo("preempt unknown, HZ unknown");
    }

    @Test
    void shouldDescribeThisMachinesScheduler() {
        assertThat(Machine.current().scheduler()).isNotBlank();
        assertThat(Machine.current().toString()).contains(Machine.current().scheduler());
    }
}
