package io.resh.host;

import io.resh.core.ConfigException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the external programs the host runs (bwrap, taskset, prlimit) on PATH. */
final class Binaries {
    private Binaries() {
    }

    static Optional<String> which(String name) {
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /** @throws ConfigException naming {@code field} and how to fix it when {@code name} is not installed */
    static String find(String name, String field, String why) {
        return which(name).orElseThrow(() -> new ConfigException(field, name + " is not on PATH: " + why));
    }
}
