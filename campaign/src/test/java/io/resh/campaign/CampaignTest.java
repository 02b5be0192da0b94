package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.InjectedFault;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real campaigns: real replica processes, real faults, outcomes judged against a golden run. */
@Tag("e2e")
class CampaignTest {

    @TempDir
    Path work;

    @Test
    void shouldMaskEveryFaultOfASmallTmrAesCampaign() {
        CampaignConfig config = CampaignConfig.builder(ServiceKind.AES).replicas(3).injections(56).seed(7)
                .requestsPerInjection(12).workDir(work).build();
        long t0 = System.nanoTime();
        CampaignResult result = new Campaign(config).run(Campaign.Listener.NONE);
        System.out.println("took " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
        result.records().forEach(System.out::println);
        assertThat(result.records()).hasSize(56);
        assertThat(result.violations()).isEmpty();
        assertThat(result.coverage().rows()).hasSize(InjectedFault.values().length);
    }
}
