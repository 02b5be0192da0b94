package io.resh.core.config;

import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a replica group needs to run, validated. Immutable.
 *
 * @param name group name, used in events, metrics and process titles
 * @param replicas N, the number of replica processes
 * @param specs one launch spec per replica slot (size N)
 * @param classpath the replica JVMs' class path; null means the host's own
 * @param checkpointEvery requests between checkpoints (state digest vote + snapshot)
 * @param deadline longest a replica may hold a request it was sent without answering before it is hung
 * @param heartbeatInterval how often replicas send a heartbeat
 * @param heartbeatTimeout silence after which a replica is hung even with nothing outstanding
 * @param startTimeout longest a replica process may take to say hello
 * @param maxRequestBytes largest request or reply accepted on any channel
 * @param maxSnapshotBytes largest snapshot accepted from a replica
 * @param pin pin each replica to its own CPU core
 * @param sandbox replica isolation
 * @param seed seed of the host's per-request random seeds; null picks one at start
 * @param workDir where replica logs go; null means a fresh temporary directory
 * @param keepWorkDir keep the temporary work directory when the group closes; without it, a temporary
 *     directory is deleted on close unless the group saw a fault (a configured {@code workDir} is never deleted)
 * @param listenHost address of the TCP front door
 * @param listenPort port of the TCP front door; -1 disables it, 0 picks a free port
 * @param maxRestarts restart intensity: more than this many restarts of one slot within
 *     {@code restartWindow} back off
 * @param restartWindow the window of the restart intensity limit
 * @param versions every configured version, distinct by label (a quarantined version's slots switch
 *     to another one from this list)
 * @param supervision reputation, core attribution, quarantine, rejuvenation, self-checks, adaptive
 *     redundancy and resource limits
 */
public record GroupConfig(String name, int replicas, List<ReplicaSpec> specs, String classpath,
                          int checkpointEvery, Duration deadline, Duration heartbeatInterval,
                          Duration heartbeatTimeout, Duration startTimeout, int maxRequestBytes,
                          long maxSnapshotBytes, boolean pin, Sandbox sandbox, Long seed, String workDir,
                          boolean keepWorkDir, String listenHost, int listenPort, int maxRestarts, Duration restartWindow,
                          List<ReplicaSpec> versions, SupervisionConfig supervision) {

    /** JVM flags every replica gets unless the config says otherwise: small, fast-starting JVMs. */
    public static final List<String> DEFAULT_JVM_ARGS = List.of("-XX:+UseSerialGC", "-Xss1m", "-XX:-UsePerfData");

    /** The shortest {@code startTimeout}: a replica's JVM never says hello sooner. */
    public static final Duration MIN_START_TIMEOUT = Duration.ofSeconds(1);

    /** The most replicas a group may have (and a {@code resh exec} run). */
    public static final int MAX_REPLICAS = 64;

    /** The shortest {@code deadline} and {@code heartbeat.interval} accepted. */
    public static final Duration MIN_TIMING = Duration.ofMillis(10);

    public GroupConfig {
        specs = List.copyOf(specs);
        versions = List.copyOf(versions);
    }

    /** The configuration without the supervision fields: distinct versions from the specs, default supervision. */
    public GroupConfig(String name, int replicas, List<ReplicaSpec> specs, String classpath,
                       int checkpointEvery, Duration deadline, Duration heartbeatInterval,
                       Duration heartbeatTimeout, Duration startTimeout, int maxRequestBytes,
                       long maxSnapshotBytes, boolean pin, Sandbox sandbox, Long seed, String workDir,
                       String listenHost, int listenPort, int maxRestarts, Duration restartWindow) {
        this(name, replicas, specs, classpath, checkpointEvery, deadline, heartbeatInterval, heartbeatTimeout,
                startTimeout, maxRequestBytes, maxSnapshotBytes, pin, sandbox, seed, workDir, false, listenHost, listenPort,
                maxRestarts, restartWindow, distinct(specs), SupervisionConfig.defaults(maxRestarts));
    }

    private static List<ReplicaSpec> distinct(List<ReplicaSpec> specs) {
        List<ReplicaSpec> out = new ArrayList<>();
        for (ReplicaSpec s : specs) {
            if (out.stream().noneMatch(o -> o.label().equals(s.label()))) {
                out.add(s);
            }
        }
        return out;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link GroupConfig}; {@link #build()} validates every field. */
    public static final class Builder {
        private final String name;
        private int replicas = 3;
        private String serviceClass;
        private String java = "java";
        private List<String> jvmArgs = DEFAULT_JVM_ARGS;
        private final List<ReplicaSpec> versions = new ArrayList<>();
        private String classpath;
        private int checkpointEvery = 1000;
        private Duration deadline = Duration.ofSeconds(2);
        private Duration heartbeatInterval = Duration.ofMillis(200);
        private Duration heartbeatTimeout;
        private Duration startTimeout = Duration.ofSeconds(30);
        private int maxRequestBytes = 16 << 20;
        private long maxSnapshotBytes = 1L << 30;
        private boolean pin;
        private Sandbox sandbox = Sandbox.NONE;
        private Long seed;
        private String workDir;
        private boolean keepWorkDir;
        private String listenHost = "127.0.0.1";
        private int listenPort = -1;
        private int maxRestarts = 5;
        private Duration restartWindow = Duration.ofSeconds(60);
        private List<Integer> cpus = List.of();
        private Duration reputationHalfLife = Duration.ofMinutes(10);
        private double voteCredit = 0.001;
        private double coreSuspectBelow = 0.25;
        private Integer versionMaxRestarts;
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration quarantine = Duration.ofMinutes(10);
        private Duration rejuvenationPeriod = Duration.ZERO;
        private Duration selfCheckInterval = Duration.ofSeconds(1);
        private boolean adaptive;
        private Duration adaptiveQuiet = Duration.ofSeconds(30);
        private Integer openFiles;
        private Integer processes;

        private Builder(String name) {
            this.name = name;
        }

        public Builder replicas(int n) {
            this.replicas = n;
            return this;
        }

        /** The service class every replica runs unless {@link #version} lists per-replica specs. */
        public Builder service(String serviceClass) {
            this.serviceClass = serviceClass;
            return this;
        }

        public Builder java(String javaCommand) {
            this.java = javaCommand;
            return this;
        }

        public Builder jvmArgs(List<String> args) {
            this.jvmArgs = List.copyOf(args);
            return this;
        }

        /** Adds a per-replica spec; slot i runs version i modulo the number of versions. Labels must be distinct. */
        public Builder version(ReplicaSpec spec) {
            versions.add(spec);
            return this;
        }

        public Builder classpath(String cp) {
            this.classpath = cp;
            return this;
        }

        public Builder checkpointEvery(int k) {
            this.checkpointEvery = k;
            return this;
        }

        public Builder deadline(Duration d) {
            this.deadline = d;
            return this;
        }

        public Builder heartbeatInterval(Duration d) {
            this.heartbeatInterval = d;
            return this;
        }

        public Builder heartbeatTimeout(Duration d) {
            this.heartbeatTimeout = d;
            return this;
        }

        public Builder startTimeout(Duration d) {
            this.startTimeout = d;
            return this;
        }

        public Builder maxRequestBytes(int n) {
            this.maxRequestBytes = n;
            return this;
        }

        public Builder maxSnapshotBytes(long n) {
            this.maxSnapshotBytes = n;
            return this;
        }

        public Builder pin(boolean pin) {
            this.pin = pin;
            return this;
        }

        public Builder sandbox(Sandbox s) {
            this.sandbox = s;
            return this;
        }

        public Builder seed(Long s) {
            this.seed = s;
            return this;
        }

        public Builder workDir(String dir) {
            this.workDir = dir;
            return this;
        }

        /** Keep the temporary work directory on close even when the group saw no fault (default false). */
        public Builder keepWorkDir(boolean keep) {
            this.keepWorkDir = keep;
            return this;
        }

        public Builder listen(String host, int port) {
            this.listenHost = host;
            this.listenPort = port;
            return this;
        }

        public Builder restartIntensity(int maxRestarts, Duration window) {
            this.maxRestarts = maxRestarts;
            this.restartWindow = window;
            return this;
        }

        /** The cores replicas may be pinned to (with {@link #pin}); empty = every core. */
        public Builder cpus(List<Integer> cores) {
            this.cpus = List.copyOf(cores);
            return this;
        }

        /** Trust decay: evidence of a fault halves every {@code halfLife}; a correct vote removes {@code voteCredit}. */
        public Builder reputation(Duration halfLife, double voteCredit) {
            this.reputationHalfLife = halfLife;
            this.voteCredit = voteCredit;
            return this;
        }

        /** A core whose reputation falls below {@code score} is suspect and no longer used while others are. */
        public Builder coreSuspectBelow(double score) {
            this.coreSuspectBelow = score;
            return this;
        }

        /**
         * Escalation beyond {@link #restartIntensity}: more than {@code versionMax} restarts of one version
         * within the restart window quarantine it for {@code quarantine}; back-off between restarts of one
         * slot grows up to {@code maxBackoff}.
         */
        public Builder escalation(int versionMax, Duration maxBackoff, Duration quarantine) {
            this.versionMaxRestarts = versionMax;
            this.maxBackoff = maxBackoff;
            this.quarantine = quarantine;
            return this;
        }

        /** Replace one healthy replica by a fresh one every {@code period}; {@link Duration#ZERO} = off (default). */
        public Builder rejuvenation(Duration period) {
            this.rejuvenationPeriod = period;
            return this;
        }

        /** How often the host checks and repairs its own bookkeeping (default 1 s). */
        public Builder selfCheck(Duration interval) {
            this.selfCheckInterval = interval;
            return this;
        }

        /** Adaptive redundancy: N = 3 runs as DMR until the first divergence, and again after {@code quiet}. */
        public Builder adaptive(Duration quiet) {
            this.adaptive = true;
            this.adaptiveQuiet = quiet;
            return this;
        }

        /** OS resource limits of every replica process (util-linux {@code prlimit}); null = inherit. */
        public Builder processLimits(Integer openFiles, Integer processes) {
            this.openFiles = openFiles;
            this.processes = processes;
            return this;
        }

        /** @throws ConfigException naming the first invalid field */
        public GroupConfig build() {
            if (name == null) {
                throw new ConfigException("group", "is required: name the group (letters, digits, '.', '_' or '-', at most 64)");
            }
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
                throw new ConfigException("group", "expected a name of letters, digits, '.', '_' or '-' (at most 64) that"
                        + " starts with a letter or digit, got '" + name + "'");
            }
            if (replicas < 1 || replicas > MAX_REPLICAS) {
                throw new ConfigException("replicas", "expected 1 to " + MAX_REPLICAS + ", got " + replicas);
            }
            List<ReplicaSpec> specs = new ArrayList<>();
            if (versions.isEmpty()) {
                if (serviceClass == null || serviceClass.isBlank()) {
                    throw new ConfigException("service.class", "missing: name the ReplicatedService implementation to run");
                }
                for (int i = 0; i < replicas; i++) {
                    specs.add(new ReplicaSpec(serviceClass, java, jvmArgs, simpleName(serviceClass)));
                }
            } else {
                for (int i = 0; i < versions.size(); i++) {
                    ReplicaSpec v = versions.get(i);
                    if (v.serviceClass() == null || v.serviceClass().isBlank()) {
                        throw new ConfigException("versions[" + i + "].class", "missing: name the ReplicatedService implementation");
                    }
                    for (int j = 0; j < i; j++) {
                        // Even two identical versions: the docs promise distinct labels, and a repeated one would
                        // share reputation and quarantine with its twin while the list said they were two.
                        if (versions.get(j).label().equals(v.label())) {
                            throw new ConfigException("versions[" + i + "].label", "'" + v.label() + "' is already used by versions["
                                    + j + "]; labels must be distinct (reputation and quarantine are per label)");
                        }
                    }
                }
                for (int i = 0; i < replicas; i++) {
                    specs.add(versions.get(i % versions.size()));
                }
            }
            if (checkpointEvery < 1) {
                throw new ConfigException("checkpoint.every", "expected a positive number of requests, got " + checkpointEvery);
            }
            ConfigException.requirePositive("deadline", deadline);
            ConfigException.requirePositive("heartbeat.interval", heartbeatInterval);
            // Below a few milliseconds every request, or every pause of a busy machine, would look like a hang.
            ConfigException.requireAtLeast("deadline", deadline, MIN_TIMING);
            ConfigException.requireAtLeast("heartbeat.interval", heartbeatInterval, MIN_TIMING);
            Duration hbTimeout = heartbeatTimeout != null ? heartbeatTimeout
                    : max(Duration.ofSeconds(1), heartbeatInterval.multipliedBy(5));
            ConfigException.requirePositive("heartbeat.timeout", hbTimeout);
            if (hbTimeout.compareTo(heartbeatInterval) <= 0) {
                // In the durations' own notation: "(1000 ms), got 1000 ms" was not how the file wrote them.
                throw ConfigException.expected("heartbeat.timeout", "longer than heartbeat.interval ("
                        + Durations.format(heartbeatInterval) + ")", Durations.format(hbTimeout));
            }
            // A JVM takes hundreds of milliseconds to say hello: with less, no replica ever joins, and the start failed
            // after a burst of start failures that did not name this setting.
            ConfigException.requireAtLeast("startTimeout", startTimeout, MIN_START_TIMEOUT);
            if (maxRequestBytes < 1024) {
                throw new ConfigException("limits.maxRequestBytes", "expected at least 1024, got " + maxRequestBytes);
            }
            if (maxSnapshotBytes < 1024 || maxSnapshotBytes > Integer.MAX_VALUE - 1024) {
                // The bounds as numbers: "1 KiB to 2 GiB" refused the 2147483648 it seemed to allow.
                throw new ConfigException("limits.maxSnapshotBytes", "expected 1024 to " + (Integer.MAX_VALUE - 1024)
                        + " (1 KiB to just under 2 GiB), got " + maxSnapshotBytes);
            }
            if (listenPort < -1 || listenPort > 65535) {
                throw new ConfigException("listen.port", "expected 0 to 65535 (0 = any free port), got " + listenPort);
            }
            if (maxRestarts < 1) {
                throw new ConfigException("restart.max", "expected at least 1, got " + maxRestarts);
            }
            ConfigException.requirePositive("restart.window", restartWindow);
            Objects.requireNonNull(sandbox, "sandbox");
            SupervisionConfig supervision = new SupervisionConfig(cpus, reputationHalfLife, voteCredit, coreSuspectBelow,
                    versionMaxRestarts != null ? versionMaxRestarts : 2 * maxRestarts, maxBackoff, quarantine,
                    rejuvenationPeriod, selfCheckInterval, adaptive, adaptiveQuiet, openFiles, processes);
            supervision.validate(replicas, maxRestarts);
            List<ReplicaSpec> all = versions.isEmpty() ? distinct(specs) : versions; // versions: distinct labels, checked above
            return new GroupConfig(name, replicas, specs, classpath, checkpointEvery, deadline, heartbeatInterval,
                    hbTimeout, startTimeout, maxRequestBytes, maxSnapshotBytes, pin, sandbox, seed, workDir, keepWorkDir,
                    listenHost, listenPort, maxRestarts, restartWindow, all, supervision);
        }

        private static String simpleName(String cls) {
            return cls.substring(cls.lastIndexOf('.') + 1);
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }

    }
}
