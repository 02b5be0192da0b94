package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.host.testing.OtherJdk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The JVM options that keep HotSpot's own output off a replica's stdout, the IPC channel. */
class JvmOutputTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldPutTheProtectiveOptionsBeforeTheUsersOwn() {
        List<String> options = JvmOutput.options(List.of("-XX:+UseSerialGC", "-Xlog:gc:stderr", "-Xlog:disable"));
        assertThat(options).containsExactly("-XX:+DisplayVMOutputToStderr", "-Xlog:all=off:stdout",
                "-Xlog:all=warning:stderr", "-XX:+UseSerialGC", "-Xlog:gc:stderr", "-Xlog:disable");
    }

    @Test
    void shouldRewriteTheOptionsHotSpotReadsFromTheEnvironmentAfterTheCommandLine() {
        assertThat(JvmOutput.environmentOptions("  -Xlog:gc   -Xmx64m\t-verbose:class "))
                .isEqualTo("-Xlog:gc:stderr -Xmx64m -Xlog:class+load=info,class+unload=info:stderr");
        assertThat(JvmOutput.environmentOptions("-Xlog:gc:file=\"/tmp/a b.log\" -XX:+PrintGC -Xloggc:gc.log"))
                .isEqualTo("-Xlog:gc:file=\"/tmp/a b.log\" -XX:+PrintGC -Xloggc:gc.log");
        assertThat(JvmOutput.environmentOptions("")).isEmpty();
    }

    @Test
    void shouldSilenceTheStartMessageOfAFlightRecordingStartedOnTheCommandLineOrBeforeIt() {
        for (String start : List.of("-XX:StartFlightRecording", "-XX:StartFlightRecording=filename=r.jfr",
                "-XX:StartFlightRecording:duration=1s")) {
            assertThat(JvmOutput.options(List.of(start, "-Xmx64m"))).as(start)
                    .endsWith(start, "-Xmx64m", JvmOutput.QUIET_RECORDING_START);
        }
        assertThat(JvmOutput.options(List.of("-Xmx64m"), java.util.Map.of("JAVA_TOOL_OPTIONS",
                "-Xss2m -XX:StartFlightRecording=filename=r.jfr"))).endsWith("-Xmx64m", JvmOutput.QUIET_RECORDING_START);
        assertThat(JvmOutput.environmentOptions("-XX:StartFlightRecording -Xlog:gc"))
                .isEqualTo("-XX:StartFlightRecording -Xlog:gc:stderr " + JvmOutput.QUIET_RECORDING_START);
        assertThat(JvmOutput.options(List.of("-XX:FlightRecorderOptions=stackdepth=96", "-Dx=-XX:StartFlightRecording"),
                java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xss2m"))).doesNotContain(JvmOutput.QUIET_RECORDING_START);
    }

    @Test
    void shouldSendXlogWithoutAnOutputToStderr() {
        assertThat(rewritten("-Xlog")).isEqualTo("-Xlog:all=info:stderr:uptime,level,tags");
        assertThat(rewritten("-Xlog:")).isEqualTo("-Xlog::stderr");
        assertThat(rewritten("-Xlog:gc")).isEqualTo("-Xlog:gc:stderr");
        assertThat(rewritten("-Xlog:gc*=debug,safepoint=off")).isEqualTo("-Xlog:gc*=debug,safepoint=off:stderr");
        assertThat(rewritten("-Xlog:gc:")).isEqualTo("-Xlog:gc:stderr");
        assertThat(rewritten("-Xlog:gc::uptime,tid")).isEqualTo("-Xlog:gc:stderr:uptime,tid");
        assertThat(rewritten("-Xlog:gc::uptime:foldmultilines=true")).isEqualTo("-Xlog:gc:stderr:uptime:foldmultilines=true");
    }

    @Test
    void shouldSendXlogToStdoutToStderrKeepingTheRest() {
        assertThat(rewritten("-Xlog:gc:stdout")).isEqualTo("-Xlog:gc:stderr");
        assertThat(rewritten("-Xlog:gc+heap=debug:stdout:none")).isEqualTo("-Xlog:gc+heap=debug:stderr:none");
        assertThat(rewritten("-Xlog:safepoint:stdout:uptime:foldmultilines=true"))
                .isEqualTo("-Xlog:safepoint:stderr:uptime:foldmultilines=true");
        assertThat(rewritten("-Xlog:gc:#0")).as("output 0 is stdout").isEqualTo("-Xlog:gc:stderr");
    }

    @Test
    void shouldKeepXlogToStderrOrAFileAsGiven() {
        for (String kept : List.of("-Xlog:gc:stderr", "-Xlog:gc:stderr:none", "-Xlog:gc:#1",
                "-Xlog:gc:file=gc.log", "-Xlog:gc=trace:file=gc.txt:uptimemillis,pid:filecount=5,filesize=1m",
                "-Xlog:gc:gc.txt", "-Xlog:gc:\"stdout\"", "-Xlog:disable", "-Xlog:help", "-Xlog:async",
                "-Xlog:async:drop", "-Xloggc:gc.txt", "-Xlogfoo")) {
            assertThat(rewritten(kept)).as(kept).isEqualTo(kept);
        }
    }

    @Test
    void shouldSplitXlogOnlyOnColonsOutsideQuotes() {
        assertThat(rewritten("-Xlog:gc:file=\"C:\\x\"")).isEqualTo("-Xlog:gc:file=\"C:\\x\"");
        assertThat(rewritten("-Xlog:gc:\"logs:stdout\":uptime")).isEqualTo("-Xlog:gc:\"logs:stdout\":uptime");
        assertThat(rewritten("-Xlog:gc:file=\"a:b\"::filecount=2")).isEqualTo("-Xlog:gc:file=\"a:b\"::filecount=2");
        assertThat(rewritten("-Xlog:gc::\"uptime:x\"")).isEqualTo("-Xlog:gc:stderr:\"uptime:x\"");
        assertThat(rewritten("-Xlog:gc:\"a:b")).as("unterminated quote: left for the JVM to report")
                .isEqualTo("-Xlog:gc:\"a:b");
    }

    @Test
    void shouldTurnVerboseIntoXlogToStderr() {
        assertThat(rewritten("-verbose:gc")).isEqualTo("-Xlog:gc:stderr");
        assertThat(rewritten("-verbose:class")).isEqualTo("-Xlog:class+load=info,class+unload=info:stderr");
        assertThat(rewritten("-verbose")).isEqualTo("-Xlog:class+load=info,class+unload=info:stderr");
        assertThat(rewritten("-verbose:module")).isEqualTo("-Xlog:module+load=info,module+unload=info:stderr");
        assertThat(rewritten("-verbose:jni")).isEqualTo("-Xlog:jni+resolve=debug:stderr");
    }

    @Test
    void shouldTurnOtherStdoutOptionsIntoTheirStderrTwins() {
        assertThat(rewritten("-XX:+PrintGC")).isEqualTo("-Xlog:gc:stderr");
        assertThat(rewritten("-XX:+PrintGCDetails")).isEqualTo("-Xlog:gc*:stderr");
        assertThat(JvmOutput.options(List.of("-Xloggc:gc.txt", "-XX:+PrintGCDetails")))
                .as("with -Xloggc the GC flags log to its file").endsWith("-Xloggc:gc.txt", "-XX:+PrintGCDetails");
        assertThat(rewritten("-XX:+DisplayVMOutputToStdout")).isEqualTo("-XX:+DisplayVMOutputToStderr");
        assertThat(rewritten("-XX:+ErrorFileToStdout")).isEqualTo("-XX:+ErrorFileToStderr");
        assertThat(rewritten("--show-version")).isEqualTo("-showversion");
    }

    @Test
    void shouldLeaveOtherOptionsUntouched() {
        List<String> others = List.of("-XX:+UseSerialGC", "-Xmx128m", "-Xss1m", "-XX:+PrintCompilation",
                "-XX:+PrintFlagsFinal", "-Dtrace=-Xlog:gc", "-verbose:gc,class", "-XX:-PrintGC", "-showversion");
        assertThat(JvmOutput.options(others)).containsExactlyElementsOf(concat(JvmOutput.PROTECTIVE, others));
    }

    /**
     * Every rewritten form is valid syntax for a real JVM, and with them the JVM prints nothing on stdout
     * although each option asked for output there. Runs this JDK and another one if installed.
     */
    @Test
    void shouldLeaveAStartedJvmsStdoutEmpty() throws Exception {
        List<String> user = List.of("-XX:+UseSerialGC", "-Xlog", "-Xlog:", "-Xlog:gc", "-Xlog:gc:", "-Xlog:gc::uptime,tid",
                "-Xlog:gc:stdout:none", "-Xlog:gc:#0", "-Xlog:gc:file=\"gc:1.log\"", "-Xlog:gc:\"gc:2.log\":uptime",
                "-verbose", "-verbose:gc", "-verbose:class", "-verbose:module", "-verbose:jni", "-XX:+PrintGC",
                "-XX:+PrintGCDetails", "-XX:+PrintFlagsFinal", "-XX:+PrintCompilation", "-XX:+DisplayVMOutputToStdout",
                "--show-version", "-XX:+UseLargePages", "-XX:StartFlightRecording=filename=rec.jfr");
        List<Path> jdks = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"))));
        OtherJdk.find().ifPresent(jdks::add);
        for (Path jdk : jdks) {
            Path work = Files.createDirectories(dir.resolve(jdk.getFileName().toString()));
            List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin").resolve("java").toString()));
            cmd.addAll(JvmOutput.options(user));
            cmd.add("-version");
            Path out = work.resolve("stdout");
            Path err = work.resolve("stderr");
            Process p = new ProcessBuilder(cmd).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try {
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("%s exits", jdk).isTrue();
            } finally {
                p.destroyForcibly();
            }
            String log = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s exit status; stderr:%n%s", jdk, tail(log)).isZero();
            assertThat(Files.readString(out, StandardCharsets.UTF_8)).as("%s stdout", jdk).isEmpty();
            assertThat(log).contains("Using Serial", "class,load", "UseSerialGC", "version");
            assertThat(Files.readString(work.resolve("gc:1.log"))).contains("Using Serial");
            assertThat(Files.readString(work.resolve("gc:2.log"))).contains("Using Serial");
            assertThat(work.resolve("rec.jfr")).as("%s flight recording", jdk).isNotEmptyFile();
        }
    }

    private static String rewritten(String arg) {
        List<String> options = JvmOutput.options(List.of(arg));
        assertThat(options).hasSize(JvmOutput.PROTECTIVE.size() + 1);
        return options.get(options.size() - 1);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
