package io.resh.cli;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.client.ReshClient;
import io.resh.core.CompletionCause;
import io.resh.core.ConfigException;
import io.resh.core.FaultKind;
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
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import io.resh.host.net.ReshServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The AES case study, live: three diverse AES implementations as a TMR group behind the TCP front door,
 * a steady stream of encryptions checked against a reference computed outside the group, and real
 * faults injected while it runs. The summary accounts for every injected fault: detected, or why not.
 *
 * <p>The narrative goes to stdout one whole line per write, so that the host's log lines on stderr (written
 * by the asynchronous appender's own thread) fall between lines on a shared terminal, never inside one.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the AES case study live: a 3-replica group with real faults injected.",
                "Three AES implementations (JDK, BouncyCastle AESEngine, BouncyCastle",
                "AESLightEngine) encrypt a steady stream of requests while real faults are",
                "injected (kill -9, a flipped reply bit, a flipped state bit, SIGSTOP, a",
                "plausible wrong reply); every ciphertext is checked against a reference",
                "computed outside the group, and a summary says what happened."})
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--duration", defaultValue = "25s", description = "How long to run (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--size", defaultValue = "1024", description = "Plaintext bytes per request (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--window", defaultValue = "32", description = "Requests in flight, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--no-faults", description = "Run without injecting faults.")
    boolean noFaults;

    /** Most requests in flight: far more than the group's batching needs, few enough to send while time is checked. */
    private static final int MAX_WINDOW = 10_000;

    /** Longest the demo waits for one voted reply before it counts a client error. */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(30);

    private final PrintStream out = System.out;
    /** Set by the JVM's exit (Ctrl-C): the group is being closed under the demo, which stops sending. */
    private volatile boolean stopping;
    /** Faults the group detected so far, counted as they are narrated (the send loop asks for it per reply). */
    private final AtomicLong detected = new AtomicLong();

    /** The fault schedule, as fractions of the run. */
    private record Scheduled(double at, InjectedFault fault, int replica, long arg, String what) {
    }

    /** How long the next fault waits at most for the last one to be detected. */
    private static final long DETECTION_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final List<Scheduled> SCHEDULE = List.of(
            new Scheduled(0.15, InjectedFault.CRASH, 0, 0, "kill -9 replica 0"),
            new Scheduled(0.30, InjectedFault.REPLY_CORRUPTION, 1, 77, "flip one bit in replica 1's next reply"),
            new Scheduled(0.45, InjectedFault.STATE_CORRUPTION, 2, 4242, "flip one bit in replica 2's live state"),
            new Scheduled(0.60, InjectedFault.HANG, 1, 0, "SIGSTOP replica 1"),
            new Scheduled(0.75, InjectedFault.BYZANTINE, 0, 0, "replica 0 answers a plausible wrong ciphertext"));

    @Override
    public Integer call() throws Exception {
        Duration runFor = io.resh.core.Durations.parse("--duration", duration);
        ConfigException.requirePositive("--duration", runFor); // zero started the group, ran nothing and exited 0
        GroupConfig.Builder builder = GroupConfig.builder("aes-demo").replicas(3)
                .version(new ReplicaSpec(JdkAes.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "jdk"))
                .version(new ReplicaSpec(BcAesEngine.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "bc-engine"))
                .version(new ReplicaSpec(BcAesLight.class.getName(), "java", GroupConfig.DEFAULT_JVM_ARGS, "bc-light"))
                .checkpointEvery(500).deadline(Duration.ofSeconds(1)).heartbeatInterval(Duration.ofMillis(100))
                .heartbeatTimeout(Duration.ofSeconds(1));
        int maxSize = builder.build().maxRequestBytes() - 1 - AesRequests.NONCE_BYTES; // op byte and nonce first
        if (size < 0 || size > maxSize) {
            // Checked before anything starts: a negative size failed with a stack trace, a larger one with an
            // error per request once the group was up.
            throw ConfigException.expected("--size", "0 to " + maxSize + " bytes (an encryption request must fit the"
                    + " group's limits.maxRequestBytes)", Integer.toString(size));
        }
        // None in flight sent nothing; a hundred million kept the demo filling its window past --duration.
        ConfigException.requireBetween("--window", window, 1, MAX_WINDOW);
        // The demo's own directory, kept for a look at the replica logs afterwards (the summary says where).
        GroupConfig config = builder.workDir(Files.createTempDirectory("resh-demo-").toString()).build();
        List<GroupEvent> events = new CopyOnWriteArrayList<>();
        line(out, "resh demo: starting 3 AES replicas (jdk, bc-engine, bc-light) ...");
        Summary summary;
        // Ctrl-C closes the group from its own exit hook while the demo still sends: every request then failed
        // with "group aes-demo is closed", thousands of lines, and the summary never came. The demo stops
        // instead, and says so and where the logs are before the JVM exits.
        CountDownLatch finished = new CountDownLatch(1);
        Thread onExit = new Thread(() -> {
            stopping = true;
            try {
                finished.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "resh-demo-stop");
        Runtime.getRuntime().addShutdownHook(onExit);
        try (ReplicaGroup group = ReplicaGroup.start(config, List.of(events::add, this::narrate));
             ReshServer server = ReshServer.start(group, "127.0.0.1", 0);
             ReshClient client = ReshClient.connect("127.0.0.1", server.port());
             AdminServer admin = AdminServer.start(AdminConfig.defaults(), List.of(group))) {
            line(out, String.format("resh demo: group up, front door on 127.0.0.1:%d, replica logs in %s",
                    server.port(), group.workDir()));
            line(out, "resh demo: watch it live in a browser: " + admin.dashboardUrl());
            summary = run(group, client, events, runFor);
        } catch (RuntimeException e) {
            if (!stopping && !Resh.shuttingDown()) {
                throw e;
            }
            summary = new Summary(List.of("", "resh demo: stopped before the end"), 130);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs and waits for the lines below
            }
        }
        try {
            // Printed once the group has closed, so the summary is the last thing on the terminal (closing logs
            // where the replica logs were kept).
            summary.lines().forEach(l -> line(out, l));
            line(out, "  replica logs    " + config.workDir());
            return summary.status();
        } finally {
            finished.countDown();
        }
    }

    /**
     * When the once-a-second line is due, and the request rate since the last one. After a stall (a group
     * that waits out a start timeout) the line used to be printed once for every second missed, each with
     * the same time and a rate of 0/s, and the requests of the whole stall counted as one second's.
     */
    static final class Ticker {
        private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
        private long next;
        private long lastNanos;
        private long lastCount;

        Ticker(long startNanos) {
            this.next = startNanos + SECOND;
            this.lastNanos = startNanos;
        }

        boolean due(long now) {
            return now >= next;
        }

        /** Requests per second since the last line, for {@code count} requests so far. */
        long perSecond(long now, long count) {
            return Math.round((count - lastCount) * (double) SECOND / Math.max(1, now - lastNanos));
        }

        void printed(long now, long count) {
            lastNanos = now;
            lastCount = count;
            next += SECOND * ((now - next) / SECOND + 1); // the next whole second of the run after now
        }
    }

    /** What the demo prints last, and its exit status. */
    private record Summary(List<String> lines, int status) {
    }

    private Summary run(ReplicaGroup group, ReshClient client, List<GroupEvent> events, Duration runFor) throws Exception {
        SplittableRandom random = new SplittableRandom(2011);
        byte[] key = AesRequests.defaultKey();
        ArrayDeque<Object[]> inflight = new ArrayDeque<>();
        Ledger ledger = new Ledger();
        long start = System.nanoTime();
        long end = start + runFor.toNanos();
        Ticker ticker = new Ticker(start);
        int nextFault = noFaults ? SCHEDULE.size() : 0;
        long requests = 0;
        long correct = 0;
        long wrong = 0;
        long errors = 0;
        CompletableFuture<String> lastInjection = null;
        // A crash is "done" once SIGKILL is sent, a moment before the group notices: until a fault the group must
        // detect is detected (or a few seconds passed), the status still shows every replica voting.
        long detectedBefore = 0;
        boolean awaitingDetection = false;
        long injectedAt = 0;
        while ((System.nanoTime() < end || !inflight.isEmpty()) && !stopping) {
            long now = System.nanoTime();
            // One fault at a time, as TMR masks one: a fault is due at its time, but waits until the one before
            // was carried out (a flipped reply waits for the next reply) and every replica is back in the vote.
            // Without that, a short run sent SIGSTOP to replica 1 while it was still starting after the flipped
            // reply, and the Byzantine reply then met only one healthy replica: a client error and a 30 s stall.
            if (awaitingDetection && (detected.get() > detectedBefore
                    || now - injectedAt > DETECTION_WAIT_NANOS)) {
                awaitingDetection = false;
            }
            if (nextFault < SCHEDULE.size() && now - start >= SCHEDULE.get(nextFault).at() * runFor.toNanos()
                    && (lastInjection == null || lastInjection.isDone()) && !awaitingDetection && allActive(group.status())) {
                Scheduled s = SCHEDULE.get(nextFault++);
                detectedBefore = detected.get();
                awaitingDetection = s.fault() != InjectedFault.STATE_CORRUPTION; // a flipped state bit may stay harmless
                injectedAt = now;
                line(out, "  >> injecting: " + s.what());
                lastInjection = group.faults().inject(s.fault(), s.replica(), s.arg());
                lastInjection.whenComplete((detail, error) -> line(out,
                        error == null ? "  >> done: " + detail : "  >> not injected: " + CompletionCause.of(error).getMessage()));
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
                    byte[] got = reply.get(REPLY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    if (Arrays.equals(got, (byte[]) head[1])) {
                        correct++;
                    } else {
                        wrong++;
                    }
                } catch (Exception e) {
                    if (stopping || Resh.shuttingDown()) {
                        // The group is being closed under us: not an error of the group's. The JVM's exit runs the
                        // group's own exit hook and ours at once, so the group may close before 'stopping' is set.
                        break;
                    }
                    errors++;
                    line(out, "  !! client error: " + clientError(e, REPLY_TIMEOUT));
                }
            }
            if (ticker.due(now)) {
                long t = TimeUnit.NANOSECONDS.toSeconds(now - start);
                GroupStatus status = group.status();
                ledger.update(events);
                ledger.check(status).forEach(i -> line(out, String.format("  == %s in replica %d: no effect so far;"
                        + " its state digest at checkpoint #%,d, taken after the fault, matches the others'",
                        i.fault(), i.replica(), i.agreedAt())));
                line(out, String.format("[%3ds] requests %,9d (%,6d/s)  faults injected %d detected %d  recoveries %d  wrong answers %d  | %s",
                        t, requests, ticker.perSecond(now, requests), count(events, GroupEvent.FaultInjected.class),
                        count(events, GroupEvent.FaultDetected.class), count(events, GroupEvent.RecoveryCompleted.class),
                        wrong, replicas(status)));
                ticker.printed(now, requests);
            }
        }
        if (stopping || Resh.shuttingDown()) {
            return new Summary(List.of("", String.format("resh demo: stopped after %.1f s: %,d voted replies, each checked"
                    + " against a reference; wrong answers: %d", (System.nanoTime() - start) / 1e9, correct + wrong, wrong)),
                    130);
        }
        // Let the last recovery finish so the summary shows the group healthy again.
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < settle && !allActive(group.status())) {
            client.call(AesRequests.served(), Duration.ofSeconds(10));
        }
        GroupStatus last = group.status();
        ledger.update(events);
        ledger.check(last);
        long recoveries = count(events, GroupEvent.RecoveryCompleted.class);
        double secs = (System.nanoTime() - start) / 1e9;
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("resh demo summary");
        lines.add(String.format("  requests        %,d voted replies in %.1f s (%,.0f/s), each checked against a reference",
                correct + wrong, secs, (correct + wrong) / secs));
        lines.addAll(ledger.summary());
        if (nextFault < SCHEDULE.size()) {
            lines.add(String.format("  not injected    %d of %d scheduled faults: the run ended before %s (try a longer"
                    + " --duration)", SCHEDULE.size() - nextFault, SCHEDULE.size(), nextFault == 0
                    ? "the first was due" : "the group had recovered from the one before"));
        }
        if (errors > 0 || wrong > 0) {
            lines.add(String.format("  masked          not every fault: clients saw %d errors and %d wrong values", errors, wrong));
        } else if (ledger.anyFault()) {
            lines.add("  masked          every fault: no client saw an error or a wrong value");
        }
        lines.add(String.format("  recoveries      %d (replica killed, restarted, restored from the voted snapshot, log replayed)", recoveries));
        lines.add(String.format("  client errors   %d", errors));
        lines.add(String.format("  wrong answers: %d", wrong));
        lines.add("  replicas now    " + replicas(last));
        return new Summary(lines, wrong == 0 && errors == 0 ? 0 : 1);
    }

    /**
     * What a failed request means, in one line. A timeout has no message ("client error: null" was all the
     * demo said when the group stalled), and an ExecutionException's message starts with its cause's class.
     */
    static String clientError(Exception e, Duration timeout) {
        if (e instanceof java.util.concurrent.TimeoutException) {
            return "no voted reply within " + timeout.toSeconds() + " s";
        }
        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                ? CompletionCause.of(e.getCause()) : e;
        String message = cause.getMessage();
        return (message == null || message.isBlank() ? cause.getClass().getSimpleName() : message)
                .replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Writes {@code text} and a line break in one write. {@code printf} sends each piece of its format to the
     * terminal on its own, so a log line that the appender's thread writes to stderr meanwhile could land in
     * the middle of it; one {@code print} of the whole line is encoded and flushed at once.
     */
    static void line(PrintStream out, String text) {
        out.print(text + System.lineSeparator());
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

    /** Called on the group's loop thread: whole lines only, and nothing that waits. */
    private void narrate(GroupEvent e) {
        if (e instanceof GroupEvent.FaultDetected f) {
            detected.incrementAndGet();
            line(out, String.format("  << detected: replica %d %s %s: %s", f.replica(), f.kind().label(), f.at(), f.evidence()));
        } else if (e instanceof GroupEvent.RecoveryCompleted r) {
            line(out, String.format("  << recovered: replica %d in %d ms, replayed %d request%s", r.replica(), r.durationMillis(),
                    r.replayed(), r.replayed() == 1 ? "" : "s"));
        } else if (e instanceof GroupEvent.FailStopped f) {
            line(out, String.format("  !! fail-stop at #%d: %s", f.sequence(), f.detail()));
        }
    }

    /**
     * What became of each injected fault, from the group's own signals. A fault detected in the replica an
     * injection went into, after it, is that injection's detection. An injection never detected was masked
     * without effect if the same process, at a checkpoint taken after it, reported the state digest f+1
     * replicas agreed on: every reply of it was compared with the others' (a differing one would have been
     * detected as a divergence) and its state matched theirs. Without such a checkpoint it is only "not
     * observed": nothing shows whether it had an effect nobody saw. Used on one thread.
     */
    static final class Ledger {
        private final List<Injection> injections = new ArrayList<>();
        private final List<GroupEvent.FaultDetected> unprompted = new ArrayList<>();
        private final Map<Integer, Integer> incarnations = new HashMap<>();
        private final Map<Long, String> stableDigests = new HashMap<>();
        private int seen;

        /** One injected fault and what became of it. */
        static final class Injection {
            private final GroupEvent.FaultInjected event;
            private final int incarnation;
            private GroupEvent.FaultDetected detectedBy;
            private boolean replaced;
            private long agreedAt;

            Injection(GroupEvent.FaultInjected event, int incarnation) {
                this.event = event;
                this.incarnation = incarnation;
            }

            String fault() {
                return event.fault();
            }

            int replica() {
                return event.replica();
            }

            /** The checkpoint after the fault at which the same process's state digest matched, or 0. */
            long agreedAt() {
                return agreedAt;
            }

            /** Not detected yet, and the process that took it still runs. */
            private boolean open() {
                return detectedBy == null && !replaced;
            }
        }

        /** Takes in the events it has not seen yet, in the order the group emitted them. */
        void update(List<GroupEvent> events) {
            for (; seen < events.size(); seen++) {
                GroupEvent e = events.get(seen);
                if (e instanceof GroupEvent.ReplicaStarted r) {
                    incarnations.put(r.replica(), r.incarnation());
                    injections.stream().filter(i -> i.replica() == r.replica() && i.incarnation != r.incarnation())
                            .forEach(i -> i.replaced = true);
                } else if (e instanceof GroupEvent.FaultInjected f) {
                    injections.add(new Injection(f, incarnations.getOrDefault(f.replica(), 1)));
                } else if (e instanceof GroupEvent.FaultDetected f) {
                    // The oldest open injection into that replica that would show as this kind; else the oldest
                    // one not already shown harmless (a fault can surface as another kind, e.g. a state flip
                    // read into a reply shows as a divergence).
                    injections.stream().filter(i -> i.replica() == f.replica() && i.open() && showsAs(i.fault(), f.kind()))
                            .findFirst()
                            .or(() -> injections.stream().filter(i -> i.replica() == f.replica() && i.open()
                                    && i.agreedAt == 0).findFirst())
                            .ifPresentOrElse(i -> i.detectedBy = f, () -> unprompted.add(f));
                } else if (e instanceof GroupEvent.CheckpointStable c && c.digest() != null) {
                    stableDigests.put(c.sequence(), c.digest().hex());
                }
            }
        }

        /** Whether the host usually detects the injected {@code fault} (a label) as {@code kind}. */
        static boolean showsAs(String fault, FaultKind kind) {
            InjectedFault f;
            try {
                f = InjectedFault.parse(fault);
            } catch (IllegalArgumentException e) {
                return false;
            }
            switch (f) {
                case CRASH: return kind == FaultKind.CRASH;
                case HANG:
                case SLOW: return kind == FaultKind.HANG;
                case REPLY_CORRUPTION:
                case BYZANTINE: return kind == FaultKind.DIVERGENCE;
                case STATE_CORRUPTION: return kind == FaultKind.STATE_DIVERGENCE || kind == FaultKind.DIVERGENCE;
                case IPC_GARBAGE: return kind == FaultKind.PROTOCOL;
                default: return false;
            }
        }

        /**
         * Checks the undetected injections against the replicas' latest state digests.
         *
         * @return the injections this status showed to have had no effect, for the first time
         */
        List<Injection> check(GroupStatus status) {
            if (status.stableDigest() != null && !status.stableDigest().isEmpty()) {
                stableDigests.put(status.stableCheckpoint(), status.stableDigest());
            }
            List<Injection> harmless = new ArrayList<>();
            for (Injection i : injections) {
                if (!i.open() || i.agreedAt > 0 || i.replica() < 0 || i.replica() >= status.replicaStates().size()) {
                    continue;
                }
                ReplicaStatus r = status.replicaStates().get(i.replica());
                if (r.incarnation() == i.incarnation && r.digestSequence() > i.event.sequence()
                        && r.digest().equals(stableDigests.get(r.digestSequence()))) {
                    i.agreedAt = r.digestSequence();
                    harmless.add(i);
                }
            }
            return harmless;
        }

        /** Whether any fault was injected or detected. */
        boolean anyFault() {
            return !injections.isEmpty() || !unprompted.isEmpty();
        }

        /** The summary's lines about faults: the totals, then one line per injected fault. */
        List<String> summary() {
            long detected = injections.stream().filter(i -> i.detectedBy != null).count();
            long harmless = injections.stream().filter(i -> i.detectedBy == null && i.agreedAt > 0).count();
            long unseen = injections.size() - detected - harmless;
            StringBuilder head = new StringBuilder(String.format("  faults injected %d", injections.size()));
            if (!injections.isEmpty()) {
                head.append(": detected ").append(detected);
                if (harmless > 0) {
                    head.append(", masked without effect ").append(harmless);
                }
                if (unseen > 0) {
                    head.append(", not observed ").append(unseen).append(" (no replica disagreed afterwards)");
                }
            }
            List<String> lines = new ArrayList<>();
            lines.add(head.toString());
            int width = injections.stream().mapToInt(i -> i.fault().length()).max().orElse(0);
            for (Injection i : injections) {
                lines.add(String.format("    %-" + width + "s into replica %d: %s", i.fault(), i.replica(), outcome(i)));
            }
            if (!unprompted.isEmpty()) {
                lines.add(String.format("  also detected  %d fault%s no injection explains: %s", unprompted.size(),
                        unprompted.size() == 1 ? "" : "s", unprompted.stream().map(f -> f.kind().label() + " in replica "
                                + f.replica() + " " + at(f)).collect(Collectors.joining(", "))));
            }
            return lines;
        }

        /**
         * Where the fault was, worded as the live line words it (a kill between requests came after the last one
         * answered, not at it), with the digits grouped like the summary's other counts.
         */
        private static String at(GroupEvent.FaultDetected f) {
            return f.at().replace("#" + f.sequence(), String.format("#%,d", f.sequence()));
        }

        private static String outcome(Injection i) {
            if (i.detectedBy != null) {
                return "detected as " + i.detectedBy.kind().label() + " " + at(i.detectedBy);
            }
            if (i.agreedAt > 0) {
                return String.format("masked without effect: no reply of it differed, and its state digest at"
                        + " checkpoint #%,d, after the fault, matched the others'%s", i.agreedAt,
                        i.event.detail() == null || i.event.detail().isEmpty() ? "" : "; injected: " + i.event.detail());
            }
            return "not observed: no replica disagreed afterwards" + (i.replaced ? " (its process was replaced before"
                    + " a checkpoint could show its state)" : "");
        }
    }
}
