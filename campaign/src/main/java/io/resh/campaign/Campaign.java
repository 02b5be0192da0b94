package io.resh.campaign;

import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a fault-injection campaign against one live replica group.
 *
 * <p>For each planned {@link Injection}, one window: send the window's requests one at a time (each
 * also executed by the golden run), inject the fault after {@code afterRequest} of them, then wait
 * until the group has settled (every replica serving and caught up, so a hang or a slow reply has
 * played out), force a checkpoint and compare the voted state with the golden state and every
 * replica's digest with the voted one. What was seen goes to {@link OutcomeClassifier}.
 *
 * <pre>{@code
 * CampaignConfig config = CampaignConfig.builder(ServiceKind.AES).replicas(3).injections(1000).seed(42).build();
 * CampaignResult result = new Campaign(config).run(CampaignListener.NONE);
 * CampaignReport.writeAll(result, Path.of("out"));
 * }</pre>
 *
 * The group runs for the whole campaign; it is replaced only when it failed stop or could not settle.
 */
public final class Campaign {
    private static final Logger LOG = LoggerFactory.getLogger(Campaign.class);
    private static final int MAX_STATE_ATTEMPTS = 10;

    private final CampaignConfig config;
    private final Workload workload;
    private final OutcomeClassifier classifier = new OutcomeClassifier();

    public Campaign(CampaignConfig config) {
        this.config = config;
        this.workload = config.service().workload();
    }

    /** Receives progress while a campaign runs (on the campaign's thread). */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** The plan is drawn and the group is up. */
        default void started(InjectionPlan plan) {
        }

        /** One injection is classified; {@code done} of {@code total} are. */
        default void injected(InjectionRecord record, int done, int total) {
        }
    }

    /** Runs the whole plan; the group is stopped when this returns or throws. */
    public CampaignResult run(Listener listener) {
        InjectionPlan plan = config.plan();
        Instant startedAt = Instant.now();
        long t0 = System.nanoTime();
        EventRecorder recorder = new EventRecorder();
        List<InjectionRecord> records = new ArrayList<>();
        OverheadReport overhead = null;
        try (GroupSession session = new GroupSession(config, workload, recorder)) {
            session.start();
            if (config.measureOverhead()) {
                overhead = new OverheadProbe(config, workload).measure(session);
            }
            listener.started(plan);
            for (Injection injection : plan.injections()) {
                InjectionRecord r = runWindow(session, recorder, injection);
                records.add(r);
                listener.injected(r, records.size(), plan.size());
            }
            return new CampaignResult(config, startedAt, Duration.ofNanos(System.nanoTime() - t0), records, overhead,
                    session.epoch());
        }
    }

    private InjectionRecord runWindow(GroupSession session, EventRecorder recorder, Injection inj) {
        long windowStart = System.nanoTime();
        ensureHealthy(session);
        GroupClient client = session.client();
        SplittableRandom requests = new SplittableRandom(inj.seed());
        int mark = recorder.mark();
        List<Integer> incarnations = session.incarnations();
        List<ReplyVerdict> verdicts = new ArrayList<>();
        long injectedAtNanos = 0;
        long sequence = 0;
        CompletableFuture<String> detail = null;
        for (int k = 0; k < config.requestsPerInjection(); k++) {
            if (k == inj.afterRequest()) {
                sequence = client.sent();
                injectedAtNanos = System.nanoTime();
                if (inj.kind() == InjectedFault.STATE_CORRUPTION) {
                    detail = injectState(session, inj);
                } else if (inj.kind() == InjectedFault.HANG) {
                    detail = injectHang(session, inj);
                } else {
                    detail = inject(session, inj.kind(), inj.replica(), inj.arg());
                }
            }
            verdicts.add(client.call(workload.nextRequest(requests)));
        }
        long deadline = System.nanoTime() + config.settleTimeout().toNanos();
        boolean settled = session.awaitSettled(deadline);
        StateCheck state = settled ? session.verifyState(incarnations, deadline) : StateCheck.unchecked();
        settled = settled && session.settled();
        List<EventRecorder.Timed> events = recorder.since(mark);
        WindowObservation observation = observe(config.replicas(), inj, verdicts, events, injectedAtNanos, settled, state);
        Classification c = classifier.classify(observation);
        InjectionRecord record = record(inj, session, sequence, describe(inj, detail), c, observation, events,
                injectedAtNanos, windowStart);
        if (session.failed()) {
            LOG.info("campaign: the group failed stop at injection {}; starting a fresh group", inj.index());
            session.start();
        } else if (state.checked() && !state.votedStateCorrect()) {
            session.rebaseGolden();
        }
        return record;
    }

    /** Starts each window from a settled group; replaces the group if it won't settle. */
    private void ensureHealthy(GroupSession session) {
        if (session.failed() || !session.awaitSettled(System.nanoTime() + config.settleTimeout().toNanos())) {
            LOG.info("campaign: the group did not settle before the next injection; starting a fresh group");
            session.start();
        }
    }

    private static CompletableFuture<String> inject(GroupSession session, InjectedFault kind, int replica, long arg) {
        try {
            return session.group().faults().inject(kind, replica, arg);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture("not injected: " + e.getMessage());
        }
    }

    /**
     * A state flip whose randomly chosen target can't be written (a final field of a record, which
     * reflection refuses) changed nothing; counting it would inflate "masked". Such a flip is retried
     * with the next seed of a chain derived from the planned one, so reruns retry identically.
     */
    private static CompletableFuture<String> injectState(GroupSession session, Injection inj) {
        long arg = inj.arg();
        String detail = "";
        for (int attempt = 1; attempt <= MAX_STATE_ATTEMPTS; attempt++) {
            detail = await(inject(session, inj.kind(), inj.replica(), arg));
            if (!detail.startsWith("not injected")) { // the replica changed nothing: no primitive state, or a final field
                return CompletableFuture.completedFuture(attempt == 1 ? detail
                        : detail + " (attempt " + attempt + ", seed " + arg + ")");
            }
            arg = new SplittableRandom(arg).nextLong();
        }
        return CompletableFuture.completedFuture("not injected after " + MAX_STATE_ATTEMPTS + " attempts: " + detail);
    }

    /**
     * SIGSTOP, then wait until the process is really stopped: the signal is asynchronous, and a replica
     * that keeps answering for a while would make the hang start after the window, where it would be
     * blamed on the next injection.
     */
    private static CompletableFuture<String> injectHang(GroupSession session, Injection inj) {
        long pid = session.group().status().replicaStates().get(inj.replica()).pid();
        String sent = await(inject(session, inj.kind(), inj.replica(), inj.arg()));
        if (pid <= 0 || !sent.startsWith("SIGSTOP sent")) {
            return CompletableFuture.completedFuture(sent);
        }
        long nanos = ProcStat.awaitStopped(pid, TimeUnit.SECONDS.toNanos(2));
        return CompletableFuture.completedFuture(nanos < 0 ? sent + "; not seen stopped within 2 s"
                : String.format(java.util.Locale.ROOT, "%s; stopped after %.1f ms", sent, nanos / 1e6));
    }

    private static String await(CompletableFuture<String> detail) {
        try {
            return detail.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "not injected: " + e.getCause().getMessage();
        } catch (TimeoutException e) {
            return "the replica did not confirm the injection";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String describe(Injection inj, CompletableFuture<String> detail) {
        if (inj.kind() == InjectedFault.IPC_GARBAGE) {
            // The replica writes the garbage instead of confirming, so it never reports back.
            return "64 malformed bytes (seed " + inj.arg() + ") written on the replica's channel";
        }
        return detail == null ? "" : await(detail);
    }

    static WindowObservation observe(int replicas, Injection inj, List<ReplyVerdict> verdicts, List<EventRecorder.Timed> events,
                                     long injectedAtNanos, boolean settled, StateCheck state) {
        List<Detection> detections = new ArrayList<>();
        List<Integer> recovered = new ArrayList<>();
        int rollbacks = 0;
        boolean failStopped = false;
        for (EventRecorder.Timed t : events) {
            GroupEvent e = t.event();
            if (e instanceof GroupEvent.FaultDetected f) {
                detections.add(new Detection(f.replica(), f.kind(), millis(t.nanos() - injectedAtNanos), f.evidence()));
            } else if (e instanceof GroupEvent.RecoveryCompleted r) {
                recovered.add(r.replica());
            } else if (e instanceof GroupEvent.RolledBack) {
                rollbacks++;
            } else if (e instanceof GroupEvent.FailStopped) {
                failStopped = true;
            }
        }
        return new WindowObservation(replicas, inj.replica(), verdicts, detections, recovered, rollbacks, failStopped,
                settled, state);
    }

    private InjectionRecord record(Injection inj, GroupSession session, long sequence, String detail, Classification c,
                                   WindowObservation o, List<EventRecorder.Timed> events, long injectedAtNanos,
                                   long windowStart) {
        long detectedAt = -1;
        String detectedAs = "";
        for (EventRecorder.Timed t : events) {
            GroupEvent e = t.event();
            if (e instanceof GroupEvent.FaultDetected f && f.replica() == inj.replica()) {
                detectedAt = t.nanos();
                detectedAs = f.kind().label();
                break;
            }
            if (e instanceof GroupEvent.RolledBack) {
                detectedAt = t.nanos();
                detectedAs = "rollback";
                break;
            }
        }
        long recoveredAt = -1;
        if (detectedAt >= 0) {
            for (EventRecorder.Timed t : events) {
                if (t.nanos() >= detectedAt && t.event() instanceof GroupEvent.RecoveryCompleted r
                        && r.replica() == inj.replica()) {
                    recoveredAt = t.nanos();
                    break;
                }
            }
        }
        int others = (int) o.detections().stream().filter(d -> d.replica() != inj.replica()).count();
        int wrong = (int) o.replies().stream().filter(v -> v == ReplyVerdict.WRONG).count();
        return new InjectionRecord(inj.index(), inj.kind(), inj.replica(), inj.afterRequest(), inj.arg(), inj.seed(),
                sequence, session.epoch(), detail, c.outcome(), c.explanation(), o.replies().size(), wrong, detectedAs,
                detectedAt >= 0 ? millis(detectedAt - injectedAtNanos) : -1,
                recoveredAt >= 0 ? millis(recoveredAt - detectedAt) : -1, others,
                millis(System.nanoTime() - windowStart));
    }

    private static double millis(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
