package io.resh.campaign;

import io.resh.core.ConfigException;
import io.resh.core.InjectedFault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a campaign needs, validated once by {@link Builder#build()}.
 *
 * @param service the service under test
 * @param replicas N
 * @param injections how many faults to inject, one at a time
 * @param seed seeds the plan, every window's requests and the host's per-request seeds
 * @param requestsPerInjection requests in each injection's window
 * @param kinds the fault kinds to spread the injections over
 * @param requestTimeout longest the client waits for one voted reply before it counts as unavailable
 * @param deadline the group's hang deadline (a replica silent on a request this long is replaced)
 * @param settleTimeout longest a window waits for the group to detect, recover and verify its state
 * @param jvmArgs the replica JVMs' flags
 * @param checkpointEvery the group's periodic checkpoint interval (a checkpoint is also forced after every window)
 * @param diverse run a different implementation in each replica where the service has several (AES)
 * @param measureOverhead before injecting, measure fault-free latency and throughput against an
 *     unreplicated group and the bare service
 * @param overheadRequests requests per overhead measurement
 * @param workDir where replica logs go, or null for a temporary directory
 */
public record CampaignConfig(ServiceKind service, int replicas, int injections, long seed, int requestsPerInjection,
                             List<InjectedFault> kinds, Duration requestTimeout, Duration deadline,
                             Duration settleTimeout, List<String> jvmArgs, int checkpointEvery, boolean diverse,
                             boolean measureOverhead, int overheadRequests, Path workDir) {

    /** Small, fast-starting replica JVMs: recovery spends most of its time starting one. */
    public static final List<String> FAST_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m",
            "-Xss512k", "-Xshare:auto", "-XX:-UsePerfData");

    public CampaignConfig {
        // The plan deals each kind once per round, so a repeated kind changes nothing: the report must not list it twice.
        kinds = kinds.stream().distinct().toList();
        jvmArgs = List.copyOf(jvmArgs);
    }

    public static Builder builder(ServiceKind service) {
        return new Builder(service);
    }

    /**
     * Whether the replicas run different implementations: {@code diverse} asks for it, but only AES has several,
     * and one replica runs one.
     */
    public boolean diverseReplicas() {
        return diverse && service == ServiceKind.AES && replicas > 1;
    }

    /** The longest delay a {@code slow} fault draws: twice the deadline, so about half of them are caught as hangs. */
    public long maxSlowMillis() {
        return Math.max(8, deadline.toMillis() * 2);
    }

    /** The injection plan this configuration runs. */
    public InjectionPlan plan() {
        return InjectionPlan.generate(seed, injections, kinds, replicas, requestsPerInjection, maxSlowMillis());
    }

    /** Builds a {@link CampaignConfig}. */
    public static final class Builder {
        /** The most requests one overhead measurement sends; each setup is sent them seven times. */
        static final int MAX_OVERHEAD_REQUESTS = 100_000;

        /** What {@link #minSettleTimeout} allows for a replica's replacement to start and catch up. */
        static final Duration REPLACEMENT_ALLOWANCE = Duration.ofSeconds(5);

        private final ServiceKind service;
        private int replicas = 3;
        private int injections = 100;
        private long seed = 42;
        private int requestsPerInjection = 20;
        private List<InjectedFault> kinds = List.of(InjectedFault.values());
        private Duration requestTimeout = Duration.ofSeconds(5);
        private Duration deadline = Duration.ofMillis(600);
        private Duration settleTimeout = Duration.ofSeconds(20);
        private List<String> jvmArgs = FAST_JVM;
        private int checkpointEvery = 100;
        private boolean diverse = true;
        private boolean measureOverhead;
        private int overheadRequests = 2000;
        private Path workDir;

        private Builder(ServiceKind service) {
            this.service = service;
        }

        public Builder replicas(int n) {
            this.replicas = n;
            return this;
        }

        public Builder injections(int n) {
            this.injections = n;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder requestsPerInjection(int n) {
            this.requestsPerInjection = n;
            return this;
        }

        public Builder kinds(List<InjectedFault> k) {
            this.kinds = List.copyOf(k);
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = d;
            return this;
        }

        public Builder deadline(Duration d) {
            this.deadline = d;
            return this;
        }

        public Builder settleTimeout(Duration d) {
            this.settleTimeout = d;
            return this;
        }

        public Builder jvmArgs(List<String> args) {
            this.jvmArgs = List.copyOf(args);
            return this;
        }

        public Builder checkpointEvery(int k) {
            this.checkpointEvery = k;
            return this;
        }

        public Builder diverse(boolean d) {
            this.diverse = d;
            return this;
        }

        public Builder measureOverhead(boolean m) {
            this.measureOverhead = m;
            return this;
        }

        public Builder overheadRequests(int n) {
            this.overheadRequests = n;
            return this;
        }

        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        /** @throws ConfigException naming the first invalid field */
        public CampaignConfig build() {
            Objects.requireNonNull(service, "service");
            ConfigException.requireBetween("replicas", replicas, 1, 9);
            ConfigException.requireBetween("injections", injections, 1, 1_000_000);
            ConfigException.requireBetween("requests-per-injection", requestsPerInjection, 1, 10_000);
            if (kinds.isEmpty()) {
                throw new ConfigException("kinds", "expected at least one fault kind");
            }
            ConfigException.requirePositive("timeout", requestTimeout);
            ConfigException.requirePositive("deadline", deadline);
            ConfigException.requirePositive("settle-timeout", settleTimeout);
            if (deadline.toMillis() < 50) {
                throw new ConfigException("deadline", "expected at least 50 ms (shorter flags healthy replicas as hung), got "
                        + deadline.toMillis() + " ms");
            }
            if (requestTimeout.compareTo(deadline.multipliedBy(2)) <= 0) {
                throw new ConfigException("timeout", "expected more than twice the deadline (" + deadline.toMillis()
                        + " ms) so a hung replica can be replaced before the client gives up, got " + requestTimeout.toMillis() + " ms");
            }
            Duration minSettle = minSettleTimeout(deadline);
            if (settleTimeout.compareTo(minSettle) < 0) {
                throw new ConfigException("settle-timeout", "expected at least " + minSettle.toMillis()
                        + " ms (a fault can take the " + GroupSession.heartbeatTimeout(deadline).toMillis()
                        + " ms heartbeat timeout to be detected, then a fresh replica JVM must start and catch up), got "
                        + settleTimeout.toMillis() + " ms");
            }
            if (checkpointEvery < 1) {
                throw new ConfigException("checkpoint-every", "expected a positive number of requests, got " + checkpointEvery);
            }
            if (measureOverhead) {
                // Every request of the measurement is drawn before it starts: 2000000000 ended in an OutOfMemoryError.
                ConfigException.requireBetween("overhead-requests", overheadRequests, 10, MAX_OVERHEAD_REQUESTS);
            }
            return new CampaignConfig(service, replicas, injections, seed, requestsPerInjection, kinds, requestTimeout,
                    deadline, settleTimeout, jvmArgs, checkpointEvery, diverse, measureOverhead, overheadRequests, workDir);
        }

        /**
         * The shortest settle timeout in which a window can see a recovery. The window waits for the fault to be
         * detected (at most the heartbeat timeout) and the replaced replica to rejoin: a fresh JVM starts, restores
         * the snapshot and replays the log, about 1 s on an idle machine and several on a loaded one, hence 5 s.
         * Shorter, every fault that needs a replacement ended "unrecovered" or "latent", blaming the group for
         * the option.
         */
        static Duration minSettleTimeout(Duration deadline) {
            return GroupSession.heartbeatTimeout(deadline).plus(REPLACEMENT_ALLOWANCE);
        }
    }
}
