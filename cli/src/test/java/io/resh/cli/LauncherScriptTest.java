package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./resh} launcher, run from a tree with a jar already built (no sources newer than it, so it builds
 * nothing): it runs a copy of the jar, and refuses one a build is still writing.
 */
class LauncherScriptTest {
    @TempDir
    Path tree;

    @Test
    void shouldRefuseAJarABuildIsStillWriting() throws Exception {
        byte[] whole = jar();
        byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
        Files.createDirectories(tree.resolve("cli/target"));
        Files.write(tree.resolve("cli/target/resh.jar"), half);

        Result r = launch();

        assertThat(r.exit).isEqualTo(1);
        assertThat(r.stderr).contains("cli/target/resh.jar is incomplete (is a build writing it?); run resh again once"
                + " the build is done");
        try (var copies = Files.list(tree.resolve("cli/target/run"))) {
            assertThat(copies).as("no copy of the incomplete jar is left to run later").isEmpty();
        }
    }

    @Test
    void shouldRunACopyOfAWholeJar() throws Exception {
        Files.createDirectories(tree.resolve("cli/target"));
        Files.write(tree.resolve("cli/target/resh.jar"), jar());

        Result r = launch();

        // java ran the copy: it found the jar's manifest and looked for the class the manifest names
        assertThat(r.stderr).contains("io.resh.cli.NoSuchMain").doesNotContain("incomplete");
        try (var copies = Files.list(tree.resolve("cli/target/run"))) {
            assertThat(copies).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).matches("resh-\\d+-\\d+\\.jar"));
        }
    }

    /**
     * Ctrl-\ (SIGQUIT) makes a JVM print a thread dump, to its stdout unless told otherwise: into the voted output
     * of {@code resh exec -- sha256sum x > sums.txt}. The launcher sends it to stderr.
     */
    @Test
    void shouldKeepTheJvmsThreadDumpOffStdout() throws Exception {
        Files.createDirectories(tree.resolve("cli/target"));
        Files.write(tree.resolve("cli/target/resh.jar"), jar(Sleeper.class.getName()));
        Path script = tree.resolve("resh");
        Files.copy(Path.of("..", "resh"), script);
        Path err = tree.resolve("stderr.txt");
        Process p = new ProcessBuilder("bash", script.toString()).redirectError(err.toFile()).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> Files.readString(err).contains("Full thread dump"));
            p.getOutputStream().close(); // the sleeper's cue to end
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).as("nothing on stdout after the program's own line").isNull();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Says it is ready, then waits for its stdin to close. */
    public static final class Sleeper {
        public static void main(String[] args) throws IOException {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until EOF
            }
        }
    }

    private record Result(int exit, String stderr) {
    }

    private Result launch() throws IOException, InterruptedException {
        Path script = tree.resolve("resh");
        Files.copy(Path.of("..", "resh"), script);
        Process p = new ProcessBuilder("bash", script.toString(), "--version").redirectErrorStream(false)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher returns").isTrue();
        return new Result(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** A jar as Maven writes it: a manifest naming a main class, and enough entries to be cut in half. */
    private static byte[] jar() throws IOException {
        return jar("io.resh.cli.NoSuchMain");
    }

    /** @param main the main class; if it is a class of these tests, the jar holds its class file */
    private static byte[] jar(String main) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, m)) {
            String file = main.replace('.', '/') + ".class";
            try (var in = LauncherScriptTest.class.getClassLoader().getResourceAsStream(file)) {
                if (in != null) {
                    out.putNextEntry(new JarEntry(file));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            for (int i = 0; i < 20; i++) {
                out.putNextEntry(new JarEntry("data/" + i + ".txt"));
                out.write(("entry " + i + " ").repeat(200).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
