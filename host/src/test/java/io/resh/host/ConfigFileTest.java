package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("group.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** An empty file and a list both said "expected a YAML mapping at the top level", which reads as a syntax error. */
    @Test
    void shouldSayAConfigIsEmptyOrNotAMapping() throws IOException {
        String[][] cases = {
            {"", "is empty (or only comments); a config needs service: (a replicated Java service) or server:"
                    + " (unmodified servers behind the gateway)"},
            {"# nothing yet\n", "is empty (or only comments); a config needs service: (a replicated Java service) or"
                    + " server: (unmodified servers behind the gateway)"},
            {"- a\n- b\n", "expected a YAML mapping of fields at the top level, got a list"},
            {"redis\n", "expected a YAML mapping of fields at the top level, got 'redis'"},
        };
        for (String[] c : cases) {
            Path f = write(c[0]);
            assertThatThrownBy(() -> ConfigFile.readTree(f)).as(c[0]).isInstanceOf(ConfigException.class)
                    .hasMessage(f + ": " + c[1]);
        }
    }

    @Test
    void shouldLoadEveryDocumentedField() throws IOException {
        GroupConfig c = ConfigFile.load(write("""
                group: kv
                replicas: 5
                service: { class: a.Kv, jvmArgs: ["-Xmx64m"] }
                checkpoint: { every: 250 }
                deadline: 750ms
                heartbeat: { interval: 50ms, timeout: 400ms }
                startTimeout: 10s
                limits: { maxRequestBytes: 4096, maxSnapshotBytes: 1048576 }
                pin: true
                sandbox: bwrap
                seed: 7
                workDir: /var/lib/resh/kv
                keepWorkDir: true
                listen: { host: 127.0.0.1, port: 0 }
                restart: { max: 3, window: 30s }
                """));
        assertThat(c.replicas()).isEqualTo(5);
        assertThat(c.specs().get(4).jvmArgs()).containsExactly("-Xmx64m");
        assertThat(c.checkpointEvery()).isEqualTo(250);
        assertThat(c.deadline()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.heartbeatTimeout()).isEqualTo(Duration.ofMillis(400));
        assertThat(c.maxRequestBytes()).isEqualTo(4096);
        assertThat(c.pin()).isTrue();
        assertThat(c.seed()).isEqualTo(7L);
        assertThat(c.workDir()).isEqualTo("/var/lib/resh/kv");
        assertThat(c.keepWorkDir()).isTrue();
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\n")).keepWorkDir()).isFalse();
        assertThat(c.listenPort()).isZero();
        assertThat(c.maxRestarts()).isEqualTo(3);
    }

    @Test
    void shouldLoadTheSupervisionFields() throws IOException {
        GroupConfig c = ConfigFile.load(write("""
                group: kv
                replicas: 3
                service: { class: a.Kv }
                pin: true
                cpus: [0, 1]
                limits: { openFiles: 2048, processes: 4096 }
                restart: { max: 3, window: 30s, versionMax: 9, backoffMax: 20s, quarantine: 5m }
                reputation: { halfLife: 2m, voteCredit: 0.01, coreSuspectBelow: 0.3 }
                rejuvenation: { period: 15m }
                selfCheck: { interval: 500ms }
                adaptive: { quiet: 45s }
                """));
        var s = c.supervision();
        assertThat(s.cpus()).containsExactly(0, 1);
        assertThat(s.openFiles()).isEqualTo(2048);
        assertThat(s.processes()).isEqualTo(4096);
        assertThat(s.versionMaxRestarts()).isEqualTo(9);
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.quarantine()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.reputationHalfLife()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.voteCredit()).isEqualTo(0.01);
        assertThat(s.coreSuspectBelow()).isEqualTo(0.3);
        assertThat(s.rejuvenationPeriod()).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.selfCheckInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.adaptive()).isTrue();
        assertThat(s.adaptiveQuiet()).isEqualTo(Duration.ofSeconds(45));
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\nadaptive: true\n")).supervision().adaptive())
                .isTrue();
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\nrejuvenation: {period: off}\n"))
                .supervision().rejuvenates()).isFalse();
        // "expected 0 (off) or at least 500ms" is what a too-short period is told: the 0 it offers must load
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\nrejuvenation: {period: 0}\n"))
                .supervision().rejuvenates()).isFalse();
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ncpus: 1\n")))
                .hasMessage("group.yaml: cpus: expected a list of core numbers like [0, 1], got 1");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nreputation: {halflife: 1m}\n")))
                .hasMessageStartingWith("group.yaml: reputation.halflife: unknown field");
    }

    @Test
    void shouldLoadTheShippedExamples() {
        for (String name : new String[] {"kv.yaml", "aes.yaml", "aes-diverse-runtimes.yaml"}) {
            GroupConfig c = ConfigFile.load(Path.of("..", "examples", name));
            assertThat(c.replicas()).isEqualTo(3);
        }
    }

    @Test
    void shouldNameTheFileAndFieldOfEveryMistake() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplcas: 3\nservice: {class: a.B}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("group.yaml: replcas: unknown field; known fields here:");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ncheckpoint: {every: -5}\n")))
                .hasMessage("group.yaml: checkpoint.every: expected a positive number of requests, got -5");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ndeadline: soon\n")))
                .hasMessage("group.yaml: deadline: expected a duration like 250ms, 2s, 5m or 1h, got 'soon'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: three\nservice: {class: a.B}\n")))
                .hasMessage("group.yaml: replicas: expected a whole number, got 'three'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: 3\n")))
                .hasMessageStartingWith("group.yaml: service: missing");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nsandbox: docker\n")))
                .hasMessage("group.yaml: sandbox: expected none or bwrap, got 'docker'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nkeepWorkDir: always\n")))
                .hasMessage("group.yaml: keepWorkDir: expected true or false, got 'always'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: [kv\n")))
                .hasMessageContaining("not valid YAML at line");
        assertThatThrownBy(() -> ConfigFile.load(dir.resolve("missing.yaml")))
                .hasMessageEndingWith("missing.yaml: no such file");
        // Was "cannot read: Input length = 1", the JDK's words for bytes that are not UTF-8.
        Path binary = Files.write(dir.resolve("binary.yaml"), new byte[] {'g', ':', ' ', (byte) 0xC3, (byte) 0x28, 0, 1});
        assertThatThrownBy(() -> ConfigFile.load(binary))
                .hasMessage(binary + ": not UTF-8 text; a config file is YAML text (is it the right file?)");
    }

    @Test
    void shouldSayWhatIsWrongWithTheYamlInOneLine() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: [3\nservice:\n  class: a.B\n")))
                .hasMessageEndingWith("group.yaml: not valid YAML at line 3, column 8: expected ',' or ']', but got :"
                        + " (while parsing a flow sequence that starts at line 2, column 11)");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice:\n\tclass: a.B\n")))
                .hasMessageContaining("group.yaml: not valid YAML at line 3, column 1: found character '\\t(TAB)'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** {@code workDir: ""} made the group write its replicas' logs and directories into the current directory. */
    @Test
    void shouldRefuseAnEmptyString() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nworkDir: \"\"\n")))
                .hasMessage("group.yaml: workDir: expected a value, got an empty string (leave the field out for its default)");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B, java: ' '}\n")))
                .hasMessageStartingWith("group.yaml: service.java: expected a value, got an empty string");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlisten: {host: ''}\n")))
                .hasMessageStartingWith("group.yaml: listen.host: expected a value, got an empty string");
    }

    /** The last of two values used to win silently, as a misspelt field once fell back to its default. */
    @Test
    void shouldRefuseAKeyGivenTwice() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: 3\nservice: {class: a.B}\nreplicas: 5\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("group.yaml: not valid YAML at line 4")
                .hasMessageContaining("'replicas'");
    }

    /** The gateway took {@code 16MiB} for its sizes; a service group's limits said "expected a whole number". */
    @Test
    void shouldTakeSizesWithUnitsForTheLimits() throws IOException {
        GroupConfig c = ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxRequestBytes: 64KiB, maxSnapshotBytes: 512MiB}\n"));

        assertThat(c.maxRequestBytes()).isEqualTo(64 * 1024);
        assertThat(c.maxSnapshotBytes()).isEqualTo(512L << 20);
    }

    @Test
    void shouldNameNestedFieldsAndWriteValuesTheWayTheFileDoes() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxRequestBytes: 10}\n")))
                .hasMessage("group.yaml: limits.maxRequestBytes: expected at least 1024, got 10");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxSnapshotBytes: 10}\n")))
                .hasMessage("group.yaml: limits.maxSnapshotBytes: expected 1024 to 2147482623 (1 KiB to just under 2 GiB),"
                        + " got 10");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxSnapshotBytes: 2147483648}\n")))
                .as("2 GiB itself is over the limit, so the message must not offer it")
                .hasMessageEndingWith("expected 1024 to 2147482623 (1 KiB to just under 2 GiB), got 2147483648");
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxSnapshotBytes: 2147482623}\n"))
                .maxSnapshotBytes()).isEqualTo(2147482623L);
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxRequestBytes: -3000000000}\n")))
                .hasMessage("group.yaml: limits.maxRequestBytes: expected a whole number of at least -2147483648, got -3000000000");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxRequestBytes: 4GiB}\n")))
                .hasMessage("group.yaml: limits.maxRequestBytes: expected a size of at most 2147483647 bytes, got '4GiB'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxRequestBytes: lots}\n")))
                .hasMessage("group.yaml: limits.maxRequestBytes: expected a size like 65536, 64KiB, 16MiB or 1GiB, got 'lots'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlimits: {maxSnapshotBytes: 2GiB}\n")))
                .hasMessageEndingWith("expected 1024 to 2147482623 (1 KiB to just under 2 GiB), got 2147483648");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nadaptive: {quiet: 0s}\nreplicas: 3\n")))
                .hasMessage("group.yaml: adaptive.quiet: expected a positive duration, got 0ms");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nadaptive: maybe\n")))
                .as("true and false are as good as a mapping")
                .hasMessage("group.yaml: adaptive: expected true, false or a mapping (enabled, quiet), got 'maybe'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ndeadline: 0s\n")))
                .hasMessage("group.yaml: deadline: expected a positive duration, got 0ms");
    }

    /**
     * Values of the wrong shape: a class name where versions: wants a mapping was reported as "class: missing", a
     * mapping in jvmArgs became an empty JVM argument the replicas failed on, and a wrong adaptive.quiet passed
     * unseen while adaptive was disabled.
     */
    @Test
    void shouldSayWhatShapeAValueOfTheWrongShapeShouldHave() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nversions: [a.Kv]\n")))
                .hasMessage("group.yaml: versions[0]: expected a mapping like {class: a.Service, label: a}, got 'a.Kv'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nversions: {class: a.Kv}\n")))
                .hasMessage("group.yaml: versions: expected a non-empty list of {class, label, java, jvmArgs}, got a mapping");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B, jvmArgs: [-Xint, {a: 1}]}\n")))
                .hasMessage("group.yaml: service.jvmArgs[1]: expected a string, got a mapping");
        // Only a shell expands ~: workDir: ~/work made a directory named "~" in the current one.
        String home = System.getenv("HOME") == null ? System.getProperty("user.home") : System.getenv("HOME");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nworkDir: ~/work\n")))
                .hasMessage("group.yaml: workDir: '~/work' starts with ~, which a config does not expand (only a shell"
                        + " does): write " + home + "/work, or a path relative to the directory resh serve runs in");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B, classpath: 'a.jar:~/lib/*'}\n")))
                .hasMessageStartingWith("group.yaml: service.classpath: '~/lib/*' starts with ~");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nversions: [{class: a.B, java: ~/jdk}]\n")))
                .hasMessageStartingWith("group.yaml: versions[0].java: '~/jdk' starts with ~");
        // A list is how several entries come to mind; "expected a string" did not say how to write them instead.
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B, classpath: [lib/*, my.jar]}\n")))
                .hasMessage("group.yaml: service.classpath: expected one string of entries separated by ':' (classpath:"
                        + " lib/*:my-service.jar), got a list");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ndeadline: [2s]\n")))
                .hasMessage("group.yaml: deadline: expected a duration like 250ms, 2s, 5m or 1h, got a list");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nadaptive: [true]\n")))
                .hasMessage("group.yaml: adaptive: expected true, false or a mapping (enabled, quiet), got a list");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nadaptive: {enabled: false, quiet: soon}\n")))
                .hasMessage("group.yaml: adaptive.quiet: expected a duration like 250ms, 2s, 5m or 1h, got 'soon'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nrejuvenation: {period: never}\n")))
                .hasMessage("group.yaml: rejuvenation.period: expected off or a duration like 30m, got 'never'");
        assertThatThrownBy(() -> ConfigFile.load(write("group: ''\nservice: {class: a.B}\n")))
                .as("no default to leave the field out for")
                .hasMessageStartingWith("group.yaml: group: expected a name of letters");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: ''}\n")))
                .hasMessageStartingWith("group.yaml: service.class: missing");
    }

    /** A missing group said "group: expected a name of letters, ... got 'null'". */
    @Test
    void shouldSayTheGroupIsRequired() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("service: {class: a.B}\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("group.yaml: group: is required: name the group (letters, digits, '.', '_' or '-', at most 64)");
    }

    /** A number beyond the field's type was reported wrapped around ("number out of range: 7766279631452241919"). */
    @Test
    void shouldQuoteANumberTooLargeAsTheFileWritesIt() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: 99999999999999999999\nservice: {class: a.B}\n")))
                .hasMessage("group.yaml: replicas: expected a whole number of at most 2147483647, got 99999999999999999999");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nreplicas: -99999999999\nservice: {class: a.B}\n")))
                .hasMessage("group.yaml: replicas: expected a whole number of at least -2147483648, got -99999999999");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nseed: 99999999999999999999\n")))
                .hasMessage("group.yaml: seed: expected a whole number of at most 9223372036854775807, got 99999999999999999999");
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\ncheckpoint: {every: 4294967297}\n")))
                .hasMessage("group.yaml: checkpoint.every: expected a whole number of at most 2147483647, got 4294967297");
        // asInt() made core 4294967297 core 1
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\npin: true\ncpus: [4294967297]\n")))
                .hasMessage("group.yaml: cpus: expected core numbers, got 4294967297");
    }

    /** Two versions under one label started, though reputation and quarantine are per label. */
    @Test
    void shouldRefuseTwoVersionsWithOneLabel() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("""
                group: kv
                versions: [ {class: a.Kv, label: a}, {class: a.Kv, label: a} ]
                """))).isInstanceOf(ConfigException.class)
                .hasMessage("group.yaml: versions[1].label: 'a' is already used by versions[0]; labels must be distinct"
                        + " (reputation and quarantine are per label)");
        assertThatThrownBy(() -> ConfigFile.load(write("""
                group: kv
                versions: [ {class: a.Kv}, {class: b.Kv, jvmArgs: [-Xint]} ]
                """))).isInstanceOf(ConfigException.class)
                .hasMessage("group.yaml: versions[1].label: 'Kv' (defaulted from the class name) is already used by"
                        + " versions[0] (defaulted from its class name); set label: to tell the versions apart"
                        + " (reputation and quarantine are per label)");
        assertThatThrownBy(() -> ConfigFile.load(write("""
                group: kv
                versions: [ {class: a.Kv}, {class: b.Other, label: Kv} ]
                """))).hasMessageStartingWith("group.yaml: versions[1].label: 'Kv' is already used by versions[0]"
                        + " (defaulted from its class name); set label:");
        assertThat(ConfigFile.load(write("""
                group: kv
                versions: [ {class: a.Kv}, {class: b.Kv, label: b} ]
                """)).versions()).extracting(v -> v.label()).containsExactly("Kv", "b");
    }

    @Test
    void shouldRefuseAListenPortOutsideTheRangeInsteadOfServingOnTheDefault() throws IOException {
        assertThatThrownBy(() -> ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlisten: {host: 0.0.0.0, port: -1}\n")))
                .hasMessage("group.yaml: listen.port: expected 0 to 65535 (0 = any free port), got -1");
        assertThat(ConfigFile.load(write("group: kv\nservice: {class: a.B}\nlisten: {host: 127.0.0.2}\n")))
                .satisfies(c -> {
                    assertThat(c.listenHost()).isEqualTo("127.0.0.2");
                    assertThat(c.listenPort()).isEqualTo(7400);
                });
    }
}
