package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real campaigns (tagged e2e): real replica processes, real faults, every reply judged against a
 * golden run. And, untagged, how a window's group events become an observation.
 */
class CampaignTest {

    @TempDir
    Path work;

    private CampaignConfig.Builder config(ServiceKind service, int replicas, int injections) {
        return CampaignConfig.builder(service).replicas(replicas).injections(injections).seed(7).requestsPerInjection(10)
                .workDir(work);
    }

    @Test
    @Tag("e2e")
    void shouldMaskEveryFaultOfATmrAesCampaign() {
        CampaignConfig config = config(ServiceKind.AES, 3, 56).build();
        CampaignResult result = new Campaign(config).run(Campaign.Listener.NONE);

        assertThat(result.records()).hasSize(56);
        assertThat(result.violations()).isEmpty();
        for (Outcome bad : List.of(Outcome.SILENT_DATA_CORRUPTION, Outcome.UNAVAILABLE, Outcome.LATENT,
                Outcome.DETECTED_UNRECOVERED, Outcome.DETECTED_FAIL_STOP)) {
            assertThat(result.count(bad)).as(bad.label()).isZero();
        }
        // A killed replica and garbage on its channel can't go unnoticed, and the replica always comes back.
        assertThat(result.records()).filteredOn(r -> r.kind() == InjectedFault.CRASH || r.kind() == InjectedFault.IPC_GARBAGE)
                .hasSize(16).allSatisfy(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.DETECTED_CORRECTED);
                    assertThat(r.recoveryMillis()).isPositive();
                    assertThat(r.detectionMillis()).isNotNegative();
                });
        // Everything else was either caught and repaired or had no effect the client or the state could see.
        assertThat(result.records()).allSatisfy(r -> assertThat(r.outcome()).isIn(Outcome.DETECTED_CORRECTED, Outcome.MASKED));
        assertThat(result.coverage().rows()).hasSize(InjectedFault.values().length);
        // The run followed the seeded plan, injection for injection.
        assertThat(result.records()).extracting(r -> new Injection(r.index(), r.kind(), r.replica(), r.afterRequest(),
                r.arg(), r.seed())).isEqualTo(config.plan().injections());
    }

    @Test
    @Tag("e2e")
    void shouldKeepTheKvStoreCorrectUnderStateAndReplyCorruption() {
        CampaignConfig config = config(ServiceKind.KV, 3, 21).kinds(List.of(InjectedFault.STATE_CORRUPTION,
                InjectedFault.REPLY_CORRUPTION, InjectedFault.CRASH)).build();
        CampaignResult result = new Campaign(config).run(Campaign.Listener.NONE);

        assertThat(result.violations()).isEmpty();
        assertThat(result.records()).filteredOn(r -> r.kind() == InjectedFault.STATE_CORRUPTION)
                .allSatisfy(r -> assertThat(r.detail()).contains("bit").doesNotStartWith("not injected"));
        assertThat(result.records()).filteredOn(r -> r.kind() == InjectedFault.CRASH)
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(Outcome.DETECTED_CORRECTED));
    }

    @Test
    @Tag("e2e")
    void shouldLetWrongRepliesThroughWithOneReplicaTheControl() {
        CampaignConfig config = config(ServiceKind.AES, 1, 6).requestsPerInjection(5)
                .kinds(List.of(InjectedFault.REPLY_CORRUPTION, InjectedFault.BYZANTINE)).build();
        CampaignResult result = new Campaign(config).run(Campaign.Listener.NONE);

        assertThat(result.records()).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.SILENT_DATA_CORRUPTION);
            assertThat(r.wrongReplies()).isEqualTo(1);
        });
        assertThat(result.violations()).as("N=1 is reported, not judged").isEmpty();
    }

    @Test
    @Tag("e2e")
    void shouldNeverReleaseAWrongValueWithTwoReplicas() {
        CampaignConfig config = config(ServiceKind.AES, 2, 8).kinds(List.of(InjectedFault.REPLY_CORRUPTION,
                InjectedFault.BYZANTINE, InjectedFault.STATE_CORRUPTION, InjectedFault.CRASH)).build();
        CampaignResult result = new Campaign(config).run(Campaign.Listener.NONE);

        assertThat(result.count(Outcome.SILENT_DATA_CORRUPTION)).isZero();
        assertThat(result.records()).filteredOn(r -> r.kind() == InjectedFault.REPLY_CORRUPTION || r.kind() == InjectedFault.BYZANTINE)
                .allSatisfy(r -> {
                    assertThat(r.outcome()).isIn(Outcome.DETECTED_CORRECTED, Outcome.DETECTED_FAIL_STOP);
                    assertThat(r.detectedAs()).isEqualTo("rollback");
                });
    }

    // ---- from group events to an observation, no processes ----

    private static final Injection CRASH_ON_1 = new Injection(0, InjectedFault.CRASH, 1, 3, 0, 99);

    private static EventRecorder.Timed at(long millis, GroupEvent e) {
        return new EventRecorder.Timed(millis * 1_000_000L, e);
    }

    @Test
    void shouldTurnDetectionsAndRecoveriesIntoAnObservation() {
        List<EventRecorder.Timed> events = List.of(
                at(100, new GroupEvent.FaultInjected(0, "g", 1, -1, 40, "crash", "SIGKILL sent")),
                at(104, new GroupEvent.FaultDetected(0, "g", 1, -1, 41, FaultKind.CRASH, "exited")),
                at(104, new GroupEvent.RecoveryStarted(0, "g", 1, -1, 41, "crash")),
                at(105, new GroupEvent.FaultDetected(0, "g", 2, -1, 41, FaultKind.HANG, "slow neighbour")),
                at(380, new GroupEvent.RecoveryCompleted(0, "g", 1, -1, 50, 276, 9)),
                at(390, new GroupEvent.CheckpointStable(0, "g", 50, Digest.of(new byte[] {1}), 30)));
        WindowObservation o = Campaign.observe(3, CRASH_ON_1, List.of(ReplyVerdict.CORRECT), events, 100_000_000L, true,
                StateCheck.clean());

        assertThat(o.detections()).extracting(Detection::replica).containsExactly(1, 2);
        assertThat(o.detections().get(0).millisAfterInjection()).isEqualTo(4.0);
        assertThat(o.detections().get(0).kind()).isEqualTo(FaultKind.CRASH);
        assertThat(o.recovered()).containsExactly(1);
        assertThat(o.rollbacks()).isZero();
        assertThat(o.failStopped()).isFalse();
        assertThat(new OutcomeClassifier().classify(o).outcome()).isEqualTo(Outcome.DETECTED_CORRECTED);
    }

    @Test
    void shouldSeeRollbacksAndFailStops() {
        List<EventRecorder.Timed> events = List.of(
                at(10, new GroupEvent.RolledBack(0, "g", 0, 12, "replies differ")),
                at(20, new GroupEvent.FailStopped(0, "g", 12, "disagreed again")));
        WindowObservation o = Campaign.observe(2, CRASH_ON_1, List.of(ReplyVerdict.FAIL_STOP), events, 0, false,
                StateCheck.unchecked());

        assertThat(o.rollbacks()).isEqualTo(1);
        assertThat(o.failStopped()).isTrue();
        assertThat(new OutcomeClassifier().classify(o).outcome()).isEqualTo(Outcome.DETECTED_FAIL_STOP);
    }
}
