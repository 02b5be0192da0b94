package io.resh.gateway.server;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** Finds a program by name on the PATH, as a shell would: the first executable file of that name. */
final class OnPath {
    private OnPath() {
    }

    static Optional<String> find(String program) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
            try {
                Path p = Path.of(dir, program);
                if (!dir.isEmpty() && Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p.toString());
                }
            } catch (InvalidPathException e) {
                // an odd PATH entry: skip it, as a shell would
            }
        }
        return Optional.empty();
    }
}
