package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.ConfigException;
import io.resh.core.ReshException;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.host.testing.ConfiguredCounterService;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.ForwardingService;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.SlowStartService;
import io.resh.host.testing.TestGroups;
import io.resh.host.testing.UnconstructibleService;
import io.resh.host.testing.UninitializableService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The work directory of a real group of replica processes: a temporary one goes when the group closes
 * after a life without faults, and stays, with its logs, after a replica was killed; a configured one, or
 * one the config says to keep, always stays.
 */
@Tag("e2e")
class ReplicaGroupWorkDirTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    @TempDir
    Path configured;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger workDirLog = (Logger) LoggerFactory.getLogger(WorkDirectory.class);
    private ReplicaGroup group;
    /** Temporary work directories a test made the group keep: removed here so that the test leaves nothing behind. */
    private final List<Path> kept = new ArrayList<>();

    @BeforeEach
    void listen() {
        logged.start();
        workDirLog.addAppender(logged);
    }

    @AfterEach
    void stop() throws IOException {
        workDirLog.detachAppender(logged);
        if (group != null) {
            group.close();
        }
        for (Path dir : kept) {
            deleteTree(dir);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What a user sees at the default level. */
    private List<String> lines() {
        return logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.INFO))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static List<Long> pids(ReplicaGroup g) {
        return g.status().replicaStates().stream().map(ReplicaStatus::pid).toList();
    }

    @Test
    void shouldDeleteItsTemporaryWorkDirectoryWhenItClosesWithoutAFault() {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("clean", 3).build()));
        Path dir = group.workDir();
        kept.add(dir);
        assertThat(dir.resolve("owner-" + ProcessHandle.current().pid() + ".lock")).as("locked while the group runs").exists();
        for (int i = 0; i < 20; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        // A replacement that is no fault: its restore goes through a snapshot file in replica-1/.
        group.checkpointNow();
        await().atMost(Duration.ofSeconds(20)).until(() -> group.status().stableCheckpoint() == 20);
        group.restart(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> group.status().replicaStates().stream()
                .allMatch(r -> r.state() == SlotState.ACTIVE && r.incarnation() == (r.index() == 1 ? 2 : 1)));
        assertThat(group.call(utf8("get"), Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("20");
        List<Long> pids = pids(group);
        assertThat(dir.resolve("replica-1.log")).isNotEmptyFile();
        assertThat(dir.resolve("replica-1")).isDirectory();

        group.close();

        assertThat(dir).doesNotExist();
        assertThat(pids).allSatisfy(p -> assertThat(ProcessHandle.of(p).filter(ProcessHandle::isAlive))
                .as("replica process %d after close", p).isEmpty());
        assertThat(lines()).noneMatch(l -> l.contains(dir.toString()));
    }

    @Test
    void shouldKeepItsTemporaryWorkDirectoryWithTheLogOfAReplicaThatWasKilled() throws Exception {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("killed", 3).build()));
        Path dir = group.workDir();
        kept.add(dir);
        group.call(utf8("add:1"), Duration.ofSeconds(10));
        long victim = group.status().replicaStates().get(1).pid();

        Process kill = new ProcessBuilder("kill", "-9", Long.toString(victim)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -9 %d", victim).isZero();
        await().atMost(Duration.ofSeconds(20)).until(() -> group.status().counters().getOrDefault("recoveries", 0L) >= 1);
        assertThat(group.call(utf8("add:1"), Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("2");

        group.close();

        assertThat(dir).isDirectory();
        assertThat(dir.resolve("replica-1.log")).content(StandardCharsets.UTF_8).contains("(pid " + victim + ")");
        // Its lock file, which a later group's start takes for a killed process's leftover once unlocked, is gone.
        assertThat(dir).isDirectoryNotContaining("glob:**/owner-*.lock");
        assertThat(lines()).containsExactly("group killed: kept work directory " + dir
                + " for post-mortem: 1 fault seen (crash 1)");
    }

    @Test
    void shouldNeverDeleteAConfiguredWorkDirectory() {
        Path dir = configured.resolve("work");
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("configured", 1).workDir(dir.toString()).build()));
        assertThat(group.call(utf8("add:1"), Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("1");

        group.close();

        assertThat(dir.resolve("replica-0.log")).isNotEmptyFile();
        assertThat(lines()).as("the user chose the directory: keeping it is no news").isEmpty();
    }

    @Test
    void shouldKeepItsTemporaryWorkDirectoryWhenTheConfigSaysSo() {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("keep", 1).keepWorkDir(true).build()));
        Path dir = group.workDir();
        kept.add(dir);
        assertThat(dir).as("kept whatever happens: never a leftover to remove").isDirectoryNotContaining("glob:**/owner-*.lock");
        assertThat(group.call(utf8("add:1"), Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("1");

        group.close();

        assertThat(dir.resolve("replica-0.log")).isNotEmptyFile();
        assertThat(lines()).containsExactly("group keep: kept work directory " + dir + " (keepWorkDir: true)");
    }

    @Test
    void shouldKeepTheLogThatTheStartFailureQuotes() {
        ReshException e = catchThrowableOfType(() -> ReplicaGroup.start(TestGroups.of("nostart", 1,
                UnconstructibleService.class.getName()).startTimeout(Duration.ofSeconds(2)).build()), ReshException.class);

        Matcher log = Pattern.compile("\\(log: (.*replica-0\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        Path file = Path.of(log.group(1));
        kept.add(file.getParent());
        assertThat(file).content(StandardCharsets.UTF_8).contains("cannot instantiate service "
                + UnconstructibleService.class.getName() + ": java.lang.IllegalStateException: refuses to start: no state file");
        assertThat(lines()).singleElement().asString().contains("kept work directory " + file.getParent());
    }

    /** A service that cannot be constructed fails every replica alike: the start fails at once, not after startTimeout. */
    @Test
    void shouldFailTheStartAtOnceWhenTheServiceClassCannotBeInstantiated() {
        ReshException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> catchThrowableOfType(() -> ReplicaGroup.start(TestGroups.of("noclass", 3,
                        UnconstructibleService.class.getName()).startTimeout(Duration.ofSeconds(120)).build()), ReshException.class),
                "the start waited for its 120 s timeout");

        assertThat(e.getMessage()).contains("group noclass did not start: replica ",
                "its service class cannot be instantiated (process exited with code 3",
                "log says: cannot instantiate service " + UnconstructibleService.class.getName()
                        + ": java.lang.IllegalStateException: refuses to start: no state file (log: ");
        assertThat(e.getMessage()).as("one line, though every replica and its replacement failed").doesNotContain("\n");
        Matcher log = Pattern.compile("\\(log: (.*replica-\\d\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        kept.add(Path.of(log.group(1)).getParent());
    }

    /**
     * A static initializer that threw ended the replica's JVM with status 1: "its process could not start", as for
     * a JVM flag it refused, and the log's last "Caused by:" line as the reason.
     */
    @Test
    void shouldSayTheServiceClassCannotBeInstantiatedWhenItsStaticInitializerThrows() {
        ReshException e = catchThrowableOfType(() -> ReplicaGroup.start(TestGroups.of("noinit", 1,
                UninitializableService.class.getName()).startTimeout(Duration.ofSeconds(30)).build()), ReshException.class);

        assertThat(e.getMessage()).contains("group noinit did not start: replica 0",
                "its service class cannot be instantiated (process exited with code 3",
                "log says: cannot instantiate service " + UninitializableService.class.getName()
                        + ": its static initializer threw java.lang.NumberFormatException: For input string: \"none\" (log: ");
        Matcher log = Pattern.compile("\\(log: (.*replica-\\d\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        kept.add(Path.of(log.group(1)).getParent());
    }

    /**
     * Before: "did not start: replica 1 (unconstructible): its service class cannot be instantiated … Replica 0 log
     * (…replica-0.log):" quoted the log of the first replica not up yet, which was only slow and said nothing.
     */
    @Test
    void shouldQuoteTheLogOfTheReplicaThatTheStartFailureNames() {
        GroupConfig config = TestGroups.of("mixed", 3, CounterService.class.getName())
                .version(new ReplicaSpec(SlowStartService.class.getName(), "java", TestGroups.FAST_JVM, "slow"))
                .version(new ReplicaSpec(UnconstructibleService.class.getName(), "java", TestGroups.FAST_JVM, "unconstructible"))
                .startTimeout(Duration.ofSeconds(120)).build();

        ReshException e = catchThrowableOfType(() -> ReplicaGroup.start(config), ReshException.class);

        assertThat(e.getMessage()).contains("did not start: replica 1 (unconstructible): its service class cannot be"
                + " instantiated", "; replica 1's log says: cannot instantiate service " + UnconstructibleService.class.getName());
        assertThat(e.getMessage()).as("one line").doesNotContain("\n");
        Matcher log = Pattern.compile("\\(log: (.*replica-\\d\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        kept.add(Path.of(log.group(1)).getParent());
    }

    /**
     * A misspelt service class failed every replica's start, with warnings and the replica's log quoted in a
     * two-line error; it is a configuration error, found before anything starts or any directory is made.
     */
    @Test
    void shouldNameAServiceClassThatIsNotOnTheClassPathBeforeStartingAnything() {
        assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.of("typo", 3, "io.resh.host.testing.CountrService").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.class: no class io.resh.host.testing.CountrService on the replicas' class path; check"
                        + " the name, or give its jar or directory with classpath:");
        String cwd = Path.of("").toAbsolutePath().toString();
        assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.of("nojar", 3, "com.example.Counter")
                .classpath("nosuch.jar" + java.io.File.pathSeparator + "target").build()))
                .as("a class path entry that does not exist is named")
                .hasMessage("service.class: no class com.example.Counter on the replicas' class path; check the name and"
                        + " classpath: nosuch.jar" + java.io.File.pathSeparator + "target (nosuch.jar does not exist in " + cwd + ")");
        assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.of("notaservice", 3, "java.lang.String").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.class: java.lang.String does not implement io.resh.replica.ReplicatedService");
        assertThat(lines()).as("no work directory was made, so none is kept").isEmpty();
    }

    /**
     * A service without a public no-argument constructor started every replica, each failing with
     * "NoSuchMethodException: ….<init>()", and the start quoted a replica's log over several lines. The class is
     * there, so the check that finds it can also tell at once that no replica will be able to create it.
     */
    @Test
    void shouldNameAServiceClassThatNoReplicaCanCreateBeforeStartingAnything() {
        assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.of("ctor", 3, ConfiguredCounterService.class.getName()).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.class: " + ConfiguredCounterService.class.getName() + " has no no-argument constructor;"
                        + " each replica creates its service with a public no-argument constructor");
        assertThatThrownBy(() -> ReplicaGroup.start(TestGroups.of("abstract", 3, ForwardingService.class.getName()).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("service.class: " + ForwardingService.class.getName() + " is abstract;");
        assertThat(lines()).as("no work directory was made, so none is kept").isEmpty();
    }

    /**
     * A JVM that refuses its flags (or a java binary or main class that is missing) exits before the replica
     * says hello, at every restart alike: the start fails at once with the reason from the log, instead of
     * crash-looping until startTimeout.
     */
    @Test
    void shouldFailTheStartAtOnceWhenTheReplicaJvmCannotStart() {
        ReshException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> catchThrowableOfType(() -> ReplicaGroup.start(TestGroups.counter("nojvm", 3)
                        .jvmArgs(List.of("-XX:+NoSuchReshFlag")).startTimeout(Duration.ofSeconds(120)).build()),
                        ReshException.class),
                "the start waited for its 120 s timeout");

        assertThat(e.getMessage()).contains("group nojvm did not start: replica ",
                "its process could not start (process exited with code 1 before its first frame",
                "log says: Unrecognized VM option 'NoSuchReshFlag' (log: ");
        assertThat(e.getMessage()).as("one line, without the JVM's closing boilerplate").doesNotContain("\n", "Error:");
        Matcher log = Pattern.compile("\\(log: (.*replica-\\d\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        kept.add(Path.of(log.group(1)).getParent());
    }

    /** A JVM that prints its version and exits 0 before its hello was taken for a crash and restarted for 30 s. */
    @Test
    void shouldFailTheStartAtOnceWhenTheReplicaJvmEndsWithoutAnError() {
        ReshException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> catchThrowableOfType(() -> ReplicaGroup.start(TestGroups.counter("versiononly", 3)
                        .jvmArgs(List.of("-version")).startTimeout(Duration.ofSeconds(120)).build()),
                        ReshException.class),
                "the start waited for its 120 s timeout");

        assertThat(e.getMessage()).contains("group versiononly did not start: replica ",
                "its process ended at once (process exited with code 0 before its first frame: is `java` a Java runtime,"
                        + " and do jvmArgs hold an option that prints and exits, such as -version?)");
        Matcher log = Pattern.compile("\\(log: (.*replica-\\d\\.log)\\)$").matcher(e.getMessage());
        assertThat(log.find()).as(e.getMessage()).isTrue();
        kept.add(Path.of(log.group(1)).getParent());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
