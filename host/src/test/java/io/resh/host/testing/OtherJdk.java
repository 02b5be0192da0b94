package io.resh.host.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a second, different Java runtime installed next to the one running the tests (a sibling of
 * {@code java.home} whose {@code release} file names another major version), for runtime-diversity
 * tests. Nothing is assumed about where JDKs live beyond "side by side"; tests skip when there is none.
 */
public final class OtherJdk {
    private OtherJdk() {
    }

    /** The home directory of a JDK of another major version than the running one, if one is installed. */
    public static Optional<Path> find() {
        Path home = Path.of(System.getProperty("java.home")).toAbsolutePath();
        try {
            home = home.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        String mine = major(home).orElse("");
        Path parent = home.getParent();
        if (parent == null) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> Files.isExecutable(d.resolve("bin").resolve("java")))
                    .filter(d -> major(d).map(m -> !m.equals(mine)).orElse(false))
                    .sorted().findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The major version from a JDK's {@code release} file: "17", "25". */
    public static Optional<String> major(Path jdk) {
        Path release = jdk.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(release)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        String v = p.getProperty("JAVA_VERSION", "").replace("\"", "");
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String first = v.split("[.+-]")[0];
        return Optional.of(first.equals("1") && v.split("\\.").length > 1 ? v.split("\\.")[1] : first);
    }
}
