package io.resh.cli.bench;

import io.resh.core.GroupEvent;
import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.gateway.server.Directories;
import io.resh.host.ReplicaGroup;
import io.resh.host.SlotState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TMR key-value group holding a large state loses a replica to {@code kill -9} while clients keep
 * sending at a fixed rate. Measured: how long the replaced replica takes to rejoin the vote (new JVM,
 * restore of the voted snapshot, replay of the log tail), and what clients see meanwhile, against the
 * same load in steady state just before (alternately, round after round).
 */
final class RecoveryScenario implements Scenario {
    static final double DEFAULT_RATE = 2000;
    /**
     * No periodic checkpoint falls inside the measured windows: the loaded state is checkpointed once,
     * and a checkpoint's own cost to clients is measured separately (a {@code checkpointNow} per round).
     */
    static final int DEFAULT_CHECKPOINT_EVERY = 1_000_000;
    static final int VALUE_BYTES = 16 * 1024;
    private static final Duration REJOIN_LIMIT = Duration.ofSeconds(60);

    @Override
    public String name() {
        return "recovery";
    }

    @Override
    public String summary() {
        return "kill -9 a TMR replica holding N MB of state: time to rejoin, client latency during recovery";
    }

    @Override
    public Set<String> options() {
        return Set.of("--state-mb", "--rate", "--pin", "--checkpoint-every", "--seed");
    }

    private static void keepOrDelete(Path dir, boolean keep, int mb, PrintWriter p) {
        if (keep) {
            p.printf("recovery %d MB: replica logs kept in %s%n", mb, dir);
            p.flush();
            return;
        }
        try {
            Directories.delete(dir);
        } catch (IOException e) {
            p.printf("recovery %d MB: could not delete %s: %s%n", mb, dir, e.getMessage());
        }
    }

    @Override
    public ScenarioReport run(BenchOptions o) throws Exception {
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        double rate = o.rate() != null ? o.rate() : DEFAULT_RATE;
        RequestSource requests = KvWorkload.mixed(o.seed());
        Duration steady = o.slice(1.0 / o.stateMegabytes().size(), 1);
        for (int mb : o.stateMegabytes()) {
            p.printf("recovery %d MB: starting a TMR KvStore group ...%n", mb);
            // The crashes are planned, so the replica logs go to a directory of the run's own, deleted when
            // nothing else went wrong (a group keeps the temporary directory it made after any fault).
            Path dir = Files.createTempDirectory("resh-bench-recovery-");
            // Until the run ends and its faults are known, its logs are worth keeping (so too when it is stopped).
            AtomicBoolean unplanned = new AtomicBoolean(true);
            ExitGuard logs = ExitGuard.register(() -> keepOrDelete(dir, unplanned.get(), mb, p));
            try (GroupTarget group = GroupTarget.start(BenchGroups.config("bench-recovery", 3, KvStore.class.getName(), o,
                    DEFAULT_CHECKPOINT_EVERY).workDir(dir.toString()).build())) {
                load(group.group(), mb, o.seed(), p);
                Rejoin rejoin = new Rejoin(group.group());
                OpenLoop load = new OpenLoop(rate);
                load.run(group, requests, Duration.ofMillis(500), false); // warm-up
                Tally steadyAll = new Tally("steady state");
                Tally recoveringAll = new Tally("during recovery");
                Tally checkpointingAll = new Tally("during a checkpoint");
                List<Double> rejoinMillis = new ArrayList<>();
                List<Double> checkpointMillis = new ArrayList<>();
                Checkpointing checkpointing = new Checkpointing(group.group());
                for (int r = 0; r < o.rounds(); r++) {
                    Tally s = load.run(group, requests, steady, true);
                    steadyAll.add(s);
                    int victim = r % 3;
                    Tally rec = load.run(group, requests, REJOIN_LIMIT, true, rejoin.schedule(victim));
                    rec.nanos = Math.max(rec.nanos, 1);
                    recoveringAll.add(rec);
                    double ms = rejoin.lastMillis();
                    rejoinMillis.add(ms);
                    p.printf(Locale.ROOT, "recovery %d MB: round %d/%d: steady p99 %.0f us | replica %d killed, rejoined"
                                    + " in %.0f ms, p99 meanwhile %.0f us, %d errors%n", mb, r + 1, o.rounds(),
                            s.latency.getValueAtPercentile(99) / 1e3, victim, ms,
                            rec.latency.getValueAtPercentile(99) / 1e3, rec.errors);
                    awaitAllActive(group.group());
                    Tally ckpt = load.run(group, requests, REJOIN_LIMIT, true, checkpointing.schedule());
                    ckpt.nanos = Math.max(ckpt.nanos, 1);
                    checkpointingAll.add(ckpt);
                    checkpointMillis.add(checkpointing.lastMillis());
                    p.printf(Locale.ROOT, "recovery %d MB: round %d/%d: checkpoint of the whole state stable in %.0f ms,"
                            + " p99 meanwhile %.0f us%n", mb, r + 1, o.rounds(), checkpointing.lastMillis(),
                            ckpt.latency.getValueAtPercentile(99) / 1e3);
                }
                double worst = rejoinMillis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                // No answered request during the recovery is no latency at all, not a p99 of 0 that meets the target.
                double p99Ratio = recoveringAll.latency.getTotalCount() == 0 ? Double.NaN
                        : recoveringAll.latency.getValueAtPercentile(99) / (double) steadyAll.latency.getValueAtPercentile(99);
                report.section(Section.of(String.format(Locale.ROOT,
                                "TMR with %d MB of state, replica killed each round", mb),
                        String.format(Locale.ROOT, "open loop at %,.0f req/s; %d rounds of: %d ms steady state; kill -9"
                                        + " of one replica, load until it rejoined; a checkpoint of the whole state"
                                        + " (checkpointNow), load until it is stable. Rejoin times (ms): %s;"
                                        + " checkpoint times (ms): %s", rate, o.rounds(), steady.toMillis(),
                                whole(rejoinMillis), whole(checkpointMillis)),
                        List.of(steadyAll, recoveringAll, checkpointingAll),
                        new Ratios().latency("recovery / steady p99", 99, recoveringAll, steadyAll)
                                .put("slowest rejoin ms", worst)
                                .latency("checkpoint / steady p99", 99, checkpointingAll, steadyAll)
                                .put("slowest checkpoint ms", checkpointMillis.stream().mapToDouble(Double::doubleValue)
                                        .max().orElse(Double.NaN))));
                String size = mb + " MB";
                if (mb >= 100) {
                    report.check(Check.atMost("recovery " + size + ": time to rejoin after kill -9 (slowest)", worst,
                            2000, "ms"));
                }
                report.check(Check.atMost("recovery " + size + ": client p99 during / steady", p99Ratio, 2, "x"));
                report.check(Check.atMost("recovery " + size + ": client errors", recoveringAll.errors + steadyAll.errors + checkpointingAll.errors,
                        0, "errors"));
                unplanned.set(false);
                for (String f : group.faults()) {
                    if (!f.contains(" crash at #") && !f.contains(" crash while idle")) { // a kill may land between requests
                        unplanned.set(true);
                        report.note("fault detected besides the injected crashes (its replica was replaced): " + f);
                    }
                }
                if (unplanned.get()) {
                    report.note("replica logs of the " + mb + " MB run kept in " + dir);
                }
                report.noteDeferredCheckpoints(List.of(group));
            } finally {
                logs.close();
            }
        }
        if (o.stateMegabytes().stream().noneMatch(mb -> mb >= 100)) {
            report.note("the 2 s rejoin target is set for 100 MB of state; run with --state-mb 100 to check it");
        }
        return report.build(String.format(Locale.ROOT, "KvStore TMR, state of %s MB in %d KiB values; client load: %s",
                o.stateMegabytes(), VALUE_BYTES / 1024, requests.description()));
    }

    /** Fills the store with {@code mb} MB of values, then makes that state the stable checkpoint. */
    private static void load(ReplicaGroup group, int mb, long seed, PrintWriter p) throws Exception {
        long t = System.nanoTime();
        int values = (int) ((long) mb * 1024 * 1024 / VALUE_BYTES);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] value = KvWorkload.printable(random, VALUE_BYTES);
        ArrayDeque<CompletableFuture<byte[]>> inflight = new ArrayDeque<>();
        for (int i = 0; i < values; i++) {
            value[i % VALUE_BYTES] = (byte) ('a' + random.nextInt(26)); // distinct values, one byte apart
            inflight.add(group.submit(KvRequests.set(String.format("state-%08d", i), value.clone())));
            if (inflight.size() >= 64) {
                inflight.poll().get(60, TimeUnit.SECONDS);
            }
        }
        for (CompletableFuture<byte[]> f : inflight) {
            f.get(60, TimeUnit.SECONDS);
        }
        long last = group.status().lastSequence();
        group.checkpointNow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (group.stableCheckpoint().sequence() < last) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the checkpoint of the loaded state did not become stable within 120 s");
            }
            Thread.sleep(20); // the group's own state, polled while replicas snapshot and digest
        }
        p.printf(Locale.ROOT, "recovery %d MB: loaded %,d values and made them the stable checkpoint in %.1f s%n", mb,
                values, (System.nanoTime() - t) / 1e9);
    }

    private static List<String> whole(List<Double> millis) {
        return millis.stream().map(ms -> String.format(Locale.ROOT, "%.0f", ms)).toList();
    }

    private static void awaitAllActive(ReplicaGroup group) throws InterruptedException {
        long deadline = System.nanoTime() + REJOIN_LIMIT.toNanos();
        while (System.nanoTime() < deadline
                && !group.status().replicaStates().stream().allMatch(r -> r.state() == SlotState.ACTIVE)) {
            Thread.sleep(10);
        }
    }

    /** Asks for a checkpoint a moment into the load and tells the load to stop once one is stable. */
    private static final class Checkpointing {
        private static final long AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
        private final ReplicaGroup group;
        private volatile long askedAt;
        private volatile long stableAt;

        Checkpointing(ReplicaGroup group) {
            this.group = group;
            group.addListener(e -> {
                if (e instanceof GroupEvent.CheckpointStable && askedAt != 0 && stableAt == 0) {
                    stableAt = System.nanoTime();
                }
            });
        }

        java.util.function.BooleanSupplier schedule() {
            askedAt = 0;
            stableAt = 0;
            long startAt = System.nanoTime();
            return () -> {
                if (askedAt == 0 && System.nanoTime() - startAt >= AFTER_NANOS) {
                    askedAt = System.nanoTime();
                    group.checkpointNow();
                }
                return stableAt != 0;
            };
        }

        double lastMillis() {
            return stableAt == 0 ? Double.NaN : (stableAt - askedAt) / 1e6;
        }
    }

    /** Kills a replica a moment into the load and tells the load to stop once the replacement rejoined. */
    private static final class Rejoin {
        private static final long KILL_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
        private final ReplicaGroup group;
        private volatile long killedAt;
        private volatile long rejoinedAt;
        private volatile int victim;

        Rejoin(ReplicaGroup group) {
            this.group = group;
            group.addListener(e -> {
                if (e instanceof GroupEvent.RecoveryCompleted rc && rc.replica() == victim && killedAt != 0) {
                    rejoinedAt = System.nanoTime();
                }
            });
        }

        java.util.function.BooleanSupplier schedule(int replica) {
            victim = replica;
            killedAt = 0;
            rejoinedAt = 0;
            long startAt = System.nanoTime();
            return () -> {
                if (killedAt == 0 && System.nanoTime() - startAt >= KILL_AFTER_NANOS) {
                    killedAt = System.nanoTime();
                    group.faults().crash(replica);
                }
                return rejoinedAt != 0;
            };
        }

        double lastMillis() {
            return rejoinedAt == 0 ? Double.NaN : (rejoinedAt - killedAt) / 1e6;
        }
    }
}
