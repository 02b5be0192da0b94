package io.resh.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupConfigTest {
    @Test
    void shouldApplyDefaults() {
        GroupConfig c = GroupConfig.builder("kv").service("a.B").build();
        assertThat(c.replicas()).isEqualTo(3);
        assertThat(c.checkpointEvery()).isEqualTo(1000);
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.specs()).hasSize(3).allSatisfy(s -> assertThat(s.serviceClass()).isEqualTo("a.B"));
        assertThat(c.listenPort()).isEqualTo(-1);
        assertThat(c.workDir()).isNull();
        assertThat(c.keepWorkDir()).isFalse();
    }

    @Test
    void shouldKeepTheWorkDirectoryOnlyWhenAsked() {
        assertThat(GroupConfig.builder("kv").service("a.B").keepWorkDir(true).build().keepWorkDir()).isTrue();
    }

    @Test
    void shouldAssignVersionsRoundRobin() {
        GroupConfig c = GroupConfig.builder("aes").replicas(3)
                .version(new ReplicaSpec("x.A", "java", List.of(), "a"))
                .version(new ReplicaSpec("x.B", "java", List.of(), "b")).build();
        assertThat(c.specs()).extracting(ReplicaSpec::label).containsExactly("a", "b", "a");
    }

    @Test
    void shouldNameTheFieldOfEveryInvalidValue() {
        assertThatThrownBy(() -> GroupConfig.builder("kv").build()).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("service.class: missing");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").replicas(0).build())
                .hasMessage("replicas: expected 1 to 64, got 0");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").checkpointEvery(-5).build())
                .hasMessage("checkpoint.every: expected a positive number of requests, got -5");
        assertThatThrownBy(() -> GroupConfig.builder(null).service("a.B").build())
                .hasMessageStartingWith("group: is required");
        assertThatThrownBy(() -> GroupConfig.builder("bad name").service("a.B").build())
                .hasMessageStartingWith("group: expected a name");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").heartbeatInterval(Duration.ofSeconds(2))
                .heartbeatTimeout(Duration.ofSeconds(1)).build())
                .hasMessage("heartbeat.timeout: expected longer than heartbeat.interval (2s), got 1s");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").listen("127.0.0.1", 70000).build())
                .hasMessageStartingWith("listen.port:");
    }

    @Test
    void shouldDefaultSupervisionToSafeValues() {
        SupervisionConfig s = GroupConfig.builder("kv").service("a.B").restartIntensity(4, Duration.ofSeconds(60)).build().supervision();
        assertThat(s.cpus()).isEmpty();
        assertThat(s.rejuvenates()).isFalse();
        assertThat(s.adaptive()).isFalse();
        assertThat(s.versionMaxRestarts()).isEqualTo(8);
        assertThat(s.coreSuspectBelow()).isEqualTo(0.25);
        assertThat(s.openFiles()).isNull();
    }

    @Test
    void shouldNameTheFieldOfEveryInvalidSupervisionValue() {
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").cpus(List.of(0, 0)).build())
                .hasMessage("cpus: core 0 is listed twice");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").replicas(5).adaptive(Duration.ofSeconds(1)).build())
                .hasMessageStartingWith("adaptive: ").hasMessageContaining("replicas: 3");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").coreSuspectBelow(1.5).build())
                .hasMessageStartingWith("reputation.coreSuspectBelow:");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").restartIntensity(5, Duration.ofSeconds(60))
                .escalation(2, Duration.ofSeconds(30), Duration.ofMinutes(10)).build())
                .hasMessageStartingWith("restart.versionMax: expected at least restart.max (5)");
        assertThatThrownBy(() -> GroupConfig.builder("kv").service("a.B").processLimits(10, null).build())
                .hasMessageStartingWith("limits.openFiles:");
        assertThatThrownBy(() -> GroupConfig.builder("kv").version(new ReplicaSpec("x.A", "java", List.of(), "a"))
                .version(new ReplicaSpec("x.B", "java", List.of(), "a")).build())
                .hasMessage("versions[1].label: 'a' is already used by versions[0]; labels must be distinct "
                        + "(reputation and quarantine are per label)");
    }

    /** Two equal versions under one label were accepted though the docs say labels must be distinct. */
    @Test
    void shouldRefuseALabelTwiceEvenForTheSameVersion() {
        ReplicaSpec a = new ReplicaSpec("x.A", "java", List.of(), "a");
        assertThatThrownBy(() -> GroupConfig.builder("kv").version(a).version(a).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("versions[1].label: 'a' is already used by versions[0]");
    }

    @Test
    void shouldKeepEveryConfiguredVersionEvenBeyondN() {
        GroupConfig c = GroupConfig.builder("aes").replicas(2)
                .version(new ReplicaSpec("x.A", "java", List.of(), "a"))
                .version(new ReplicaSpec("x.B", "java", List.of(), "b"))
                .version(new ReplicaSpec("x.C", "java", List.of(), "c")).build();
        assertThat(c.specs()).extracting(ReplicaSpec::label).containsExactly("a", "b");
        assertThat(c.versions()).extracting(ReplicaSpec::label).containsExactly("a", "b", "c");
    }

    @Test
    void shouldRefuseTimingsTooShortToMeanAnything() {
        assertThatThrownBy(() -> GroupConfig.builder("g").service("S").deadline(Duration.ofMillis(1)).build())
                .isInstanceOf(ConfigException.class).hasMessage("deadline: expected at least 10ms, got 1ms");
        assertThatThrownBy(() -> GroupConfig.builder("g").service("S").heartbeatInterval(Duration.ofMillis(5)).build())
                .isInstanceOf(ConfigException.class).hasMessage("heartbeat.interval: expected at least 10ms, got 5ms");
        assertThatThrownBy(() -> GroupConfig.builder("g").service("S").rejuvenation(Duration.ofMillis(1)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("rejuvenation.period: expected 0 (off) or at least 500ms, got 1ms");
        assertThatThrownBy(() -> GroupConfig.builder("g").service("S").startTimeout(Duration.ofMillis(1)).build())
                .isInstanceOf(ConfigException.class).hasMessage("startTimeout: expected at least 1s, got 1ms");
        assertThat(GroupConfig.builder("g").service("S").deadline(Duration.ofMillis(10))
                .rejuvenation(Duration.ofMillis(500)).build().deadline()).isEqualTo(Duration.ofMillis(10));
    }
}
