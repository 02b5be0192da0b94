package io.resh.host;

import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.core.config.Sandbox;
import io.resh.replica.ReplicaMain;
import io.resh.replica.SharedBodies;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds and starts the OS process of one replica incarnation. */
final class ReplicaLauncher {
    /** Lets the state-corruption fault reach JDK collection internals inside the replica. */
    private static final List<String> OPENS = List.of(
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.concurrent=ALL-UNNAMED");

    /**
     * Size of each of the two rings of a replica's {@link SharedBodies} file, from
     * {@code -Dresh.replica.sharedBytes} (default 4 MiB; 0: every body goes through the pipes).
     */
    static final int SHARED_RING_BYTES = sharedRingBytes((int) TuningProperty.number("resh.replica.sharedBytes", 4 << 20, 0, 1 << 30));

    private final GroupConfig config;
    private final Path workDir;
    private final String classpath;

    ReplicaLauncher(GroupConfig config, Path workDir) {
        this.config = config;
        this.workDir = workDir;
        this.classpath = classpath(config.classpath(), System.getProperty("java.class.path"));
    }

    /**
     * Fails at once, naming the setting, if the config needs a program that is not installed. Found only while
     * a replica starts, the missing program made every start fail and be retried until the start timeout, and
     * the group's error then named only the timeout; {@code pin} without taskset did not pin, silently.
     *
     * @throws io.resh.core.ConfigException naming {@code sandbox}, {@code limits} or {@code pin}
     */
    static void requirePrograms(GroupConfig config) {
        if (config.sandbox() == Sandbox.BWRAP) {
            BwrapSandbox.find();
        }
        if (config.supervision().openFiles() != null || config.supervision().processes() != null) {
            prlimit();
        }
        if (config.pin() && !CpuPinning.available()) {
            throw new io.resh.core.ConfigException("pin", "taskset is not on PATH: util-linux's taskset pins each"
                    + " replica to a core; install util-linux or set pin: false");
        }
        List<ReplicaSpec> versions = config.versions();
        for (int i = 0; i < versions.size(); i++) {
            String problem = javaProblem(versions.get(i).java());
            if (problem != null) {
                // As the service class check names it: one version is the service: section's.
                throw new io.resh.core.ConfigException(versions.size() == 1 ? "service.java" : "versions[" + i + "].java",
                        problem + "; give a java binary or a JDK directory, or leave java out for the JVM running resh");
            }
        }
    }

    /**
     * What stops {@code java} from running, or null if it can: otherwise every replica failed to start, was
     * retried, and the group's error quoted a replica's log.
     */
    static String javaProblem(String java) {
        String binary = javaBinary(java);
        if (!binary.contains(File.separator)) {
            return Binaries.which(binary).isPresent() ? null : binary + " is not on PATH";
        }
        Path p = Path.of(binary);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
            return null;
        }
        if (!binary.equals(Path.of(java).toAbsolutePath().normalize().toString())) {
            return java + " is a directory without bin/java";
        }
        return java + (Files.exists(p) ? " is not executable" : " does not exist");
    }

    private static String prlimit() {
        return Binaries.find("prlimit", "limits", "util-linux's prlimit is needed for limits.openFiles/processes");
    }

    /**
     * The service's own class path goes in front of the host's, never in place of it: the replica runtime
     * ({@link ReplicaMain}) and the service API come from the host's, and a class path of only the service's
     * jar failed every replica start with "Could not find or load main class".
     */
    static String classpath(String service, String host) {
        return absolute(service == null || service.isBlank() ? host : service + File.pathSeparator + host);
    }

    Path workDir() {
        return workDir;
    }

    /** The log file of a slot (all incarnations append to it). */
    Path logFile(int slot) {
        return workDir.resolve("replica-" + slot + ".log");
    }

    /**
     * Where a replica's shared body file may go, in order: {@code /dev/shm} where it is a writable directory
     * (a tmpfs: the pages both processes write are never written back to a disk), then the replica's own
     * directory; none when {@link #SHARED_RING_BYTES} is 0.
     */
    List<Path> sharedBodiesDirs(int slot) {
        if (SHARED_RING_BYTES == 0) {
            return List.of();
        }
        Path shm = Path.of("/dev/shm");
        Path own = workDir.resolve("replica-" + slot);
        return Files.isDirectory(shm) && Files.isWritable(shm) ? List.of(shm, own) : List.of(own);
    }

    /** 0 stays 0 (off); anything else is held between a ring that takes one smallest shared body and 1 GiB. */
    static int sharedRingBytes(int wanted) {
        if (wanted <= 0) {
            return 0;
        }
        return Math.max(SharedBodies.MIN_BODY_BYTES, Math.min(wanted, 1 << 30));
    }

    List<String> command(int slot, ReplicaSpec spec, int cpu) {
        return command(slot, spec, cpu, false, null);
    }

    /** @param catchingUp a replacement that starts at the lower {@link CatchUpPriority} until it caught up */
    /** @param sharedBodies the shared body file's absolute path, or null */
    List<String> command(int slot, ReplicaSpec spec, int cpu, boolean catchingUp, String sharedBodies) {
        List<String> cmd = new ArrayList<>();
        if (catchingUp) {
            cmd.addAll(CatchUpPriority.prefix()); // outermost: whatever it starts inherits the priority
        }
        Integer files = config.supervision().openFiles();
        Integer procs = config.supervision().processes();
        if (files != null || procs != null) {
            // prlimit sets the limits and execs the rest: they hold for the sandbox and the JVM inside it.
            cmd.add(prlimit());
            if (files != null) {
                cmd.add("--nofile=" + files + ":" + files);
            }
            if (procs != null) {
                cmd.add("--nproc=" + procs + ":" + procs);
            }
            cmd.add("--");
        }
        // A process group of its own: a terminal's Ctrl-C must reach the host alone, which then stops the replica.
        cmd.addAll(OwnProcessGroup.prefix());
        cmd.addAll(ReplicaPipes.prefix()); // before the sandbox: the pipes are set up outside it
        if (config.sandbox() == Sandbox.BWRAP) {
            List<String> readable = new ArrayList<>(List.of(classpath.split(File.pathSeparator)));
            Path javaHome = Path.of(javaBinary(spec.java())).toAbsolutePath().getParent().getParent();
            if (javaHome != null) {
                readable.add(javaHome.toString());
            }
            cmd.addAll(BwrapSandbox.prefix(workDir.resolve("replica-" + slot), readable,
                    sharedBodies == null ? List.of() : List.of(sharedBodies)));
        }
        if (cpu >= 0 && CpuPinning.available()) {
            cmd.addAll(List.of("taskset", "-c", Integer.toString(cpu)));
        }
        cmd.add(javaBinary(spec.java()));
        // stdout is the IPC channel: the JVM's own log and diagnostic output must go to the replica log
        cmd.addAll(JvmOutput.options(spec.jvmArgs(), System.getenv()));
        cmd.addAll(OPENS);
        cmd.add("-Dresh.group=" + config.name());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ReplicaMain.class.getName());
        cmd.addAll(List.of("--service", spec.serviceClass(), "--index", Integer.toString(slot),
                "--heartbeat-ms", Long.toString(config.heartbeatInterval().toMillis()),
                "--max-frame", Integer.toString(config.maxRequestBytes()),
                "--max-snapshot", Long.toString(config.maxSnapshotBytes())));
        if (sharedBodies != null) {
            cmd.addAll(List.of("--shared-bodies", sharedBodies));
        }
        return cmd;
    }

    Process start(int slot, ReplicaSpec spec, int cpu, boolean catchingUp, String sharedBodies) throws IOException {
        Files.createDirectories(workDir.resolve("replica-" + slot));
        ProcessBuilder pb = new ProcessBuilder(command(slot, spec, cpu, catchingUp, sharedBodies));
        pb.directory(workDir.resolve("replica-" + slot).toFile());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(logFile(slot).toFile()));
        String late = pb.environment().get(JvmOutput.LATE_OPTIONS_VARIABLE);
        if (late != null) {
            pb.environment().put(JvmOutput.LATE_OPTIONS_VARIABLE, JvmOutput.environmentOptions(late));
        }
        return pb.start();
    }

    /** Replicas run in their own directories, so relative class path entries must be made absolute. */
    static String absolute(String classpath) {
        StringBuilder sb = new StringBuilder();
        for (String entry : classpath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(File.pathSeparatorChar);
            }
            // `lib/*` as much as `lib/x.jar`: the JVM expands the wildcard, but in the replica's directory.
            sb.append(isWildcard(entry)
                    ? Path.of(entry.substring(0, entry.length() - 1)).toAbsolutePath().normalize() + File.separator + "*"
                    : Path.of(entry).toAbsolutePath().normalize().toString());
        }
        return sb.toString();
    }

    /** Whether the JVM expands this class path entry to the jars in a directory: {@code *} or one ending in {@code /*}. */
    static boolean isWildcard(String entry) {
        return entry.equals("*") || entry.endsWith(File.separator + "*");
    }

    /**
     * "java" means the JVM running the host, so replicas use the same runtime unless told otherwise. A path is
     * made absolute against the host's working directory, as the class path is: the replica's process starts in
     * its own directory, where {@code ./jdk/bin/java} is not. A bare name other than "java" that is no directory
     * is looked up on PATH.
     */
    static String javaBinary(String java) {
        if (java == null || java.equals("java")) {
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
        Path p = Path.of(java).toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            return p.resolve("bin").resolve("java").toString();
        }
        return java.contains(File.separator) ? p.toString() : java;
    }
}
