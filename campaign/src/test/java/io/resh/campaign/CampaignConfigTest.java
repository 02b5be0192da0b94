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

    /** "--overhead-requests 2000000000" was taken, and the campaign died drawing them with an OutOfMemoryError. */
    @Test
    void shouldRefuseMoreOverheadRequestsThanItCanHold() {
        assertThatThrownBy(() -> aes().measureOverhead(true).overheadRequests(2_000_000_000).build())
                .hasMessage("overhead-requests: expected 10 to 100000, got 2000000000");
        assertThat(aes().measureOverhead(true).overheadRequests(100_000).build().overheadRequests()).isEqualTo(100_000);
    }

    /**
     * "--settle-timeout 100ms" ran the campaign and failed it: every replaced replica "never caught up again",
     * though no replica JVM can start that fast. The floor follows the deadline through the heartbeat timeout.
     */
    @Test
    void shouldRefuseASettleTimeoutTooShortForAReplicaToBeReplaced() {
        assertThatThrownBy(() -> aes().settleTimeout(Duration.ofMillis(100)).build())
                .hasMessage("settle-timeout: expected at least 6200 ms (a fault can take the 1200 ms heartbeat timeout"
                        + " to be detected, then a fresh replica JVM must start and catch up), got 100 ms");
        assertThat(aes().settleTimeout(Duration.ofMillis(6200)).build().settleTimeout()).hasMillis(6200);
        assertThat(aes().deadline(Duration.ofMillis(50)).settleTimeout(Duration.ofSeconds(6)).build().settleTimeout())
                .as("a short deadline keeps the 1 s heartbeat floor").hasSeconds(6);
        assertField(aes().deadline(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(11))
                .settleTimeout(Duration.ofSeconds(14)), "settle-timeout");
    }

    private static void assertField(CampaignConfig.Builder b, String field) {
        assertThatThrownBy(b::build).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field));
    }

    @Test
    void shouldParseServicesByName() {
        assertThat(ServiceKind.parse("AES")).isEqualTo(ServiceKind.AES);
        assertThat(ServiceKind.parse(" kv ")).isEqualTo(ServiceKind.KV);
        assertThatThrownBy(() -> ServiceKind.parse("redis")).hasMessage("expected one of aes, kv, got 'redis'");
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
