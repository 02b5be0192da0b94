package io.resh.cli;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.client.ReshClient;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.examples.aes.AesOracle;
import io.resh.examples.aes.AesRequests;
import io.resh.examples.aes.BcAesEngine;
import io.resh.examples.aes.BcAesLight;
import io.resh.examples.aes.JdkAes;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import io.resh.host.SlotState;
import io.resh.host.net.ReshServer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The AES case study, live: three diverse AES implementations as a TMR group behind the TCP front door,
 * a steady stream of encryptions checked against a reference computed outside the group, and real
 * faults injected while it runs.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start a 3-replica AES group (JDK, BouncyCastle AESEngine, BouncyCastle AESLightEngine),",
                "encrypt a steady stream of requests through it while injecting real faults (kill -9, a",
                "flipped reply bit, a flipped state bit, SIGSTOP, a plausible wrong reply), check every",
                "ciphertext against a reference computed outside the group, and print what happened."})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--duration", defaultValue = "25s", description = "How long to run (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--size", defaultValue = "1024", description = "Plaintext bytes per request (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--window", defaultValue = "32", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--no-faults", description = "Run without injecting faults.")
    boolean noFaults;

    /** The fault schedule, as fractions of the run. */
    private record Scheduled(double at, InjectedFault fault, int replica, long arg, String what) {
    }

    private static final List<Scheduled> SCHEDULE = List.of(
            new Scheduled(0.15, InjectedFault.CRASH, 0, 0, "kill -9 replica 0"),
            new Scheduled(0.30, InjectedFault.REPLY_CORRUPTION, 1, 77, "flip one bit in replica 1's next reply"),
            new Scheduled(0.45, InjectedFault.STATE_CORRUPTION, 2, 4242, "flip one bit in replica 2's live state"),
            new Scheduled(0.60, InjectedFault.HANG, 1, 0, "SIGSTOP replica 1"),
            new Scheduled(0.75, InjectedFault.BYZANTINE, 0, 0, "replica 0 answers a plausible wrong ciphertext"));

    @Override
    public Integer call() throws Exception {
        Duration runFor = io.resh.core.Durations.parse("--duration", duration);
        GroupConfig config = GroupConfig.builder("aes-demo").replicas(3)
                .version(new ReplicaSpec(JdkAes.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "jdk"))
                .version(new ReplicaSpec(BcAesEngine.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "bc-engine"))
                .version(new ReplicaSpec(BcAesLight.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "bc-light"))
                .checkpointEvery(500).deadline(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofSeconds(1)).build();
        List<GroupEvent> events = new CopyOnWriteArrayList<>();
        System.out.println("resh demo: starting 3 AES replicas (jdk, bc-engine, bc-light) ...");
        try (ReplicaGroup group = ReplicaGroup.start(config, List.of(events::add, DemoCommand::print));
             ReshServer server = ReshServer.start(group, "127.0.0.1", 0);
             ReshClient client = ReshClient.connect("127.0.0.1", server.port());
             AdminServer admin = AdminServer.start(AdminConfig.defaults(), List.of(group))) {
            System.out.printf("resh demo: group up, front door on 127.0.0.1:%d, replica logs in %s%n",
                    server.port(), group.workDir());
            System.out.println("resh demo: watch it live in a browser: " + admin.dashboardUrl());
            return run(group, client, events, runFor);
        }
    }

    private int run(ReplicaGroup group, ReshClient client, List<GroupEvent> events, Duration runFor) throws Exception {
        SplittableRandom random = new SplittableRandom(2011);
        byte[] key = AesRequests.defaultKey();
        ArrayDeque<Object[]> inflight = new ArrayDeque<>();
        long start = System.nanoTime();
        long end = start + runFor.toNanos();
        long nextLine = start + TimeUnit.SECONDS.toNanos(1);
        int nextFault = noFaults ? SCHEDULE.size() : 0;
        long requests = 0;
        long correct = 0;
        long wrong = 0;
        long errors = 0;
        int injected = 0;
        long lastRequests = 0;
        while (System.nanoTime() < end || !inflight.isEmpty()) {
            long now = System.nanoTime();
            if (nextFault < SCHEDULE.size() && now - start >= SCHEDULE.get(nextFault).at() * runFor.toNanos()) {
                Scheduled s = SCHEDULE.get(nextFault++);
                System.out.printf("  >> injecting: %s%n", s.what());
                group.faults().inject(s.fault(), s.replica(), s.arg())
                        .thenAccept(detail -> System.out.printf("  >> done: %s%n", detail));
                injected++;
            }
            while (now < end && inflight.size() < window) {
                byte[] nonce = new byte[16];
                byte[] plain = new byte[size];
                random.nextBytes(nonce);
                random.nextBytes(plain);
                inflight.add(new Object[] {client.send(AesRequests.encrypt(nonce, plain)), AesOracle.encrypt(key, nonce, plain)});
                requests++;
            }
            Object[] head = inflight.poll();
            if (head != null) {
                @SuppressWarnings("unchecked")
                CompletableFuture<byte[]> reply = (CompletableFuture<byte[]>) head[0];
                try {
                    byte[] got = reply.get(30, TimeUnit.SECONDS);
                    if (Arrays.equals(got, (byte[]) head[1])) {
                        correct++;
                    } else {
                        wrong++;
                    }
                } catch (Exception e) {
                    errors++;
                    System.out.println("  !! client error: " + e.getMessage());
                }
            }
            if (now >= nextLine) {
                long t = TimeUnit.NANOSECONDS.toSeconds(now - start);
                System.out.printf("[%3ds] requests %,9d (%,6d/s)  faults injected %d detected %d  recoveries %d  wrong answers %d  | %s%n",
                        t, requests, requests - lastRequests, injected, count(events, GroupEvent.FaultDetected.class),
                        count(events, GroupEvent.RecoveryCompleted.class), wrong, replicas(group.status()));
                lastRequests = requests;
                nextLine += TimeUnit.SECONDS.toNanos(1);
            }
        }
        // Let the last recovery finish so the summary shows the group healthy again.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < settle && !allActive(group.status())) {
            client.call(AesRequests.served(), Duration.ofSeconds(10));
        }
        long detected = count(events, GroupEvent.FaultDetected.class);
        long recoveries = count(events, GroupEvent.RecoveryCompleted.class);
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.println();
        System.out.println("resh demo summary");
        System.out.printf("  requests        %,d voted replies in %.1f s (%,.0f/s), each checked against a reference%n", correct + wrong, secs, (correct + wrong) / secs);
        System.out.printf("  faults injected %d%n", injected);
        System.out.printf("  faults detected %d, masked %d (no client saw an error or a wrong value)%n", detected, errors == 0 && wrong == 0 ? detected : 0);
        System.out.printf("  recoveries      %d (replica killed, restarted, restored from the voted snapshot, log replayed)%n", recoveries);
        System.out.printf("  client errors   %d%n", errors);
        System.out.printf("  wrong answers: %d%n", wrong);
        System.out.printf("  replicas now    %s%n", replicas(group.status()));
        return wrong == 0 && errors == 0 ? 0 : 1;
    }

    /** Every replica votes, or sleeps on purpose (the dormant spare of an adaptive group in DMR mode). */
    static boolean allActive(GroupStatus s) {
        return s.replicaStates().stream()
                .allMatch(r -> r.state() == SlotState.ACTIVE || r.state() == SlotState.DORMANT);
    }

    private static String replicas(GroupStatus s) {
        return s.replicaStates().stream().map(r -> r.index() + ":" + r.version() + " " + r.state().label()
                + (r.incarnation() > 1 ? " (x" + r.incarnation() + ")" : "")).collect(Collectors.joining(", "));
    }

    private static long count(List<GroupEvent> events, Class<?> type) {
        return events.stream().filter(type::isInstance).count();
    }

    private static void print(GroupEvent e) {
        if (e instanceof GroupEvent.FaultDetected f) {
            System.out.printf("  << detected: replica %d %s at #%d: %s%n", f.replica(), f.kind().label(), f.sequence(), f.evidence());
        } else if (e instanceof GroupEvent.RecoveryCompleted r) {
            System.out.printf("  << recovered: replica %d in %d ms, replayed %d requests%n", r.replica(), r.durationMillis(), r.replayed());
        } else if (e instanceof GroupEvent.FailStopped f) {
            System.out.printf("  !! fail-stop at #%d: %s%n", f.sequence(), f.detail());
        }
    }

}
