package io.resh.host;

import java.nio.file.Files;
import java.nio.file.Path;

/** Core pinning through util-linux's {@code taskset}. */
final class CpuPinning {
    private static final boolean AVAILABLE = detect();

    private CpuPinning() {
    }

    static boolean available() {
        return AVAILABLE;
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static boolean detect() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "taskset"))) {
                return true;
            }
        }
        return false;
    }
}
