package io.resh.core.config;

import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the host supervises and confines its replicas beyond detect-and-restart: trust with decay, core
 * attribution, restart intensity and quarantine, proactive rejuvenation, self-checks, adaptive
 * redundancy and OS resource limits. docs/SUPERVISION.md explains each mechanism.
 *
 * @param cpus the cores replicas may be pinned to (with {@code pin}); empty means every core
 * @param reputationHalfLife how long until the evidence of a fault has halved
 * @param voteCredit evidence one correct vote takes away (1000 votes at 0.001 undo one fault)
 * @param coreSuspectBelow a core whose reputation falls below this is suspect and no longer used
 * @param versionMaxRestarts more restarts than this of all slots running one version within the
 *     restart window quarantine that version
 * @param maxBackoff the longest back-off between restarts of one slot
 * @param quarantine how long a quarantined version stays out of service
 * @param rejuvenationPeriod one healthy replica is replaced by a fresh one every period; zero = off
 * @param selfCheckInterval how often the host checks (and repairs) its own bookkeeping
 * @param adaptive run N = 3 as DMR with a dormant third replica woken by the first divergence
 * @param adaptiveQuiet how long without a divergence before an escalated group drops back to DMR
 * @param openFiles RLIMIT_NOFILE of every replica process (prlimit), or null to inherit
 * @param processes RLIMIT_NPROC of every replica process (prlimit), or null to inherit
 */
public record SupervisionConfig(List<Integer> cpus, Duration reputationHalfLife, double voteCredit,
                                double coreSuspectBelow, int versionMaxRestarts, Duration maxBackoff,
                                Duration quarantine, Duration rejuvenationPeriod, Duration selfCheckInterval,
                                boolean adaptive, Duration adaptiveQuiet, Integer openFiles, Integer processes) {

    /** The defaults for a group whose per-slot restart limit is {@code maxRestarts}. */
    public static SupervisionConfig defaults(int maxRestarts) {
        return new SupervisionConfig(List.of(), Duration.ofMinutes(10), 0.001, 0.25, 2 * maxRestarts,
                Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ZERO, Duration.ofSeconds(1), false,
                Duration.ofSeconds(30), null, null);
    }

    /** The shortest rejuvenation period accepted (other than 0, off). */
    public static final Duration MIN_REJUVENATION_PERIOD = Duration.ofMillis(500);

    /**
     * What is wrong with a rejuvenation period, or null if it is 0 (off) or at least {@link
     * #MIN_REJUVENATION_PERIOD}: replacing a replica takes a JVM start and a catch-up, so a shorter period
     * only keeps one replacing. Checked for configs and for a period changed at run time alike.
     */
    public static String rejuvenationProblem(Duration period) {
        if (period != null && (period.isZero() || period.compareTo(MIN_REJUVENATION_PERIOD) >= 0)) {
            return null;
        }
        return "expected 0 (off) or at least " + Durations.format(MIN_REJUVENATION_PERIOD) + ", got "
                + (period == null ? "none" : Durations.format(period));
    }

    public SupervisionConfig {
        cpus = List.copyOf(cpus);
    }

    /** True when proactive rejuvenation is on. */
    public boolean rejuvenates() {
        return !rejuvenationPeriod.isZero();
    }

    /** @throws ConfigException naming the first invalid field (YAML names) */
    void validate(int replicas, int maxRestarts) {
        Set<Integer> seen = new HashSet<>();
        for (Integer c : cpus) {
            if (c == null || c < 0) {
                throw new ConfigException("cpus", "expected core numbers >= 0, got " + c);
            }
            if (!seen.add(c)) {
                throw new ConfigException("cpus", "core " + c + " is listed twice");
            }
        }
        ConfigException.requirePositive("reputation.halfLife", reputationHalfLife);
        if (!(voteCredit >= 0 && voteCredit <= 1)) {
            throw new ConfigException("reputation.voteCredit", "expected 0 to 1, got " + voteCredit);
        }
        if (!(coreSuspectBelow > 0 && coreSuspectBelow < 1)) {
            throw new ConfigException("reputation.coreSuspectBelow", "expected a score between 0 and 1 (exclusive), got "
                    + coreSuspectBelow);
        }
        if (versionMaxRestarts < maxRestarts) {
            throw new ConfigException("restart.versionMax", "expected at least restart.max (" + maxRestarts
                    + "): a version is quarantined only after its slots have backed off, got " + versionMaxRestarts);
        }
        ConfigException.requirePositive("restart.backoffMax", maxBackoff);
        ConfigException.requirePositive("restart.quarantine", quarantine);
        String rejuvenation = rejuvenationProblem(rejuvenationPeriod);
        if (rejuvenation != null) {
            throw new ConfigException("rejuvenation.period", rejuvenation);
        }
        ConfigException.requirePositive("selfCheck.interval", selfCheckInterval);
        if (adaptive && replicas != 3) {
            throw new ConfigException("adaptive", "adaptive redundancy runs DMR with a dormant third replica: it needs"
                    + " replicas: 3, got " + replicas);
        }
        ConfigException.requirePositive("adaptive.quiet", adaptiveQuiet);
        if (openFiles != null && openFiles < 64) {
            throw new ConfigException("limits.openFiles", "expected at least 64 (a JVM opens dozens of files), got " + openFiles);
        }
        if (processes != null && processes < 32) {
            throw new ConfigException("limits.processes", "expected at least 32 (every JVM thread counts), got " + processes);
        }
    }

}
