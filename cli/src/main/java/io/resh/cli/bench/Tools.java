package io.resh.cli.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds external programs a scenario needs on the {@code PATH}, and says how to install the missing ones. */
final class Tools {
    private Tools() {
    }

    static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * @param programs program names, each with the Debian/Ubuntu package that has it
     * @throws ScenarioUnavailableException naming the missing programs and the install command
     */
    static void require(String scenario, String... programs) {
        List<String> missing = new ArrayList<>();
        List<String> packages = new ArrayList<>();
        for (int i = 0; i < programs.length; i += 2) {
            if (find(programs[i]).isEmpty()) {
                missing.add(programs[i]);
                if (!packages.contains(programs[i + 1])) {
                    packages.add(programs[i + 1]);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new ScenarioUnavailableException("scenario '" + scenario + "' needs " + String.join(", ", missing)
                    + " on the PATH; on Debian or Ubuntu: sudo apt-get install " + String.join(" ", packages));
        }
    }
}
