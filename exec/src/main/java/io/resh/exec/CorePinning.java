package io.resh.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Pins each replica to its own CPU core with {@code taskset -c} (from util-linux), round-robin over
 * the cores this process may use when replicas outnumber them. A divergence then names a core.
 */
final class CorePinning {
    private final Path taskset;
    private final List<Integer> cores;

    CorePinning(Path taskset, List<Integer> cores) {
        this.taskset = taskset;
        this.cores = List.copyOf(cores);
    }

    /**
     * Finds taskset and the usable cores.
     *
     * @throws ExecSetupException if taskset is missing
     */
    static CorePinning locate() {
        return locate(System.getenv("PATH"));
    }

    /** As {@link #locate()}, searching the given PATH value. */
    static CorePinning locate(String path) {
        Path taskset = ProgramPath.find("taskset", path).orElseThrow(() -> new ExecSetupException(ExitCodes.SETUP_FAILED,
                "--pin needs taskset, which is not installed: install it with 'apt-get install util-linux'"));
        return new CorePinning(taskset, allowedCores());
    }

    /** The core replica {@code replica} runs on. */
    int coreOf(int replica) {
        return cores.get(replica % cores.size());
    }

    List<String> wrap(List<String> command, int core) {
        List<String> argv = new ArrayList<>(List.of(taskset.toString(), "-c", Integer.toString(core)));
        argv.addAll(command);
        return List.copyOf(argv);
    }

    /** The CPUs this process may run on (its affinity mask), e.g. [0, 1]; all of them if unknown. */
    static List<Integer> allowedCores() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    List<Integer> cores = parseList(line.substring(line.indexOf(':') + 1).trim());
                    if (!cores.isEmpty()) {
                        return cores;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: fall back to the processor count below.
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            all.add(i);
        }
        return all;
    }

    /** Parses a kernel CPU list such as {@code 0-3,8,10-11}. */
    static List<Integer> parseList(String list) {
        List<Integer> cores = new ArrayList<>();
        for (String part : list.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                cores.add(Integer.parseInt(p));
            } else {
                int from = Integer.parseInt(p.substring(0, dash));
                int to = Integer.parseInt(p.substring(dash + 1));
                for (int c = from; c <= to; c++) {
                    cores.add(c);
                }
            }
        }
        return cores;
    }
}
