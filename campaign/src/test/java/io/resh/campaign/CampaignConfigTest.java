package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import io.resh.core.InjectedFault;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignConfigTest {

    private static CampaignConfig.Builder aes() {
        return CampaignConfig.builder(ServiceKind.AES);
    }

    @Test
    void shouldDefaultToATmrCampaignOverEveryFaultKind() {
        CampaignConfig c = aes().build();
        assertThat(c.replicas()).isEqualTo(3);
        assertThat(c.kinds()).containsExactly(InjectedFault.values());
        assertThat(c.maxSlowMillis()).isEqualTo(2 * c.deadline().toMillis());
        assertThat(c.jvmArgs()).isEqualTo(CampaignConfig.FAST_JVM);
    }

    @Test
    void shouldNameTheFieldThatIsWrong() {
        assertField(aes().replicas(0), "replicas");
        assertField(aes().injections(0), "injections");
        assertField(aes().requestsPerInjection(0), "requests-per-injection");
        assertField(aes().kinds(List.of()), "kinds");
        assertField(aes().deadline(Duration.ofMillis(10)), "deadline");
        assertField(aes().deadline(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(2)), "timeout");
        assertField(aes().settleTimeout(Duration.ZERO), "settle-timeout");
        assertThatThrownBy(() -> aes().requestTimeout(Duration.ofSeconds(-2)).build())
                .hasMessage("timeout: expected a positive duration, got -2s");
        assertField(aes().checkpointEvery(0), "checkpoint-every");
        assertField(aes().measureOverhead(true).overheadRequests(1), "overhead-requests");
    }

    private static void assertField(CampaignConfig.Builder b, String field) {
        assertThatThrownBy(b::build).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field));
    }

    @Test
    void shouldParseServicesByName() {
        assertThat(ServiceKind.parse("AES")).isEqualTo(ServiceKind.AES);
        assertThat(ServiceKind.parse(" kv ")).isEqualTo(ServiceKind.KV);
        assertThatThrownBy(() -> ServiceKind.parse("redis")).hasMessageContaining("aes, kv");
    }

    /** "--kinds crash,CRASH,ipc-garbage" was reported as the kinds "crash, crash, ipc-garbage"; the plan had two. */
    @Test
    void shouldListARepeatedFaultKindOnce() {
        CampaignConfig c = CampaignConfig.builder(ServiceKind.KV)
                .kinds(List.of(InjectedFault.CRASH, InjectedFault.CRASH, InjectedFault.IPC_GARBAGE)).build();
        assertThat(c.kinds()).containsExactly(InjectedFault.CRASH, InjectedFault.IPC_GARBAGE);
        assertThat(c.plan().countsByKind().keySet()).containsExactlyInAnyOrderElementsOf(c.kinds());
    }
}
