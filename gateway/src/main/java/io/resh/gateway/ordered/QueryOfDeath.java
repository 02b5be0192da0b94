package io.resh.gateway.ordered;

import io.resh.core.FaultKind;
import io.resh.gateway.protocol.Request;

/**
 * Tells a "query of death" from independent faults. When f+1 replicas fail at the same request, the
 * request may have done it, and replaying it into their replacements would fail those too:
 * <ul>
 *   <li>if they all sent a reply nobody asked for after it (deterministic replies: a request answered
 *       twice, whose client already had its voted answer), it is the request's doing: stop at once;</li>
 *   <li>if they crashed, hung, or broke the protocol in the reply they owed to it (a reply that cannot be
 *       framed, e.g. one larger than {@code maxReplyBytes}, or a connection closed while owing it), before any
 *       replica answered it, it may have been the request or an outside event that killed, stalled or
 *       disconnected f+1 servers at once (kill -9, the OOM killer, SIGSTOP, a host paging itself to a halt)
 *       while the request happened to be in flight. As with a mismatch under dual redundancy, a transient fault
 *       rarely repeats: the request becomes the {@linkplain #suspect suspect}, and only if f+1 replicas fail
 *       at it again while replaying it is it the request's doing: it is {@linkplain #skip skipped} (dropped
 *       from the replay log; the group goes on without it). A replica that answers it when replayed clears it.
 *       A read is never replayed, so the group just recovers; its client is told.</li>
 *   <li>if they failed replaying it alone ({@link #failedReplayingAlone}: a replay failed in a window of pipelined
 *       requests it was in, so it is replayed alone until answered), it is counted the same way: a request may fail
 *       every replay of it though replicas answered it live, when its replay meets a state its live run did not.
 *       Its client had its answer (or may yet have it, while it is in flight), so it is never skipped: dropping it
 *       would rebuild replicas that answer from a state without a write the client was told of. Once f+1 of their
 *       replacements fail at it again, it is {@linkplain #unreplayable unreplayable} instead.</li>
 * </ul>
 * Independent faults rarely coincide on one request, so only the latest request is tracked: a failure
 * at another one starts the count anew, and a later completed count replaces an older suspect.
 *
 * <p>Fed from the fault path, and on the replay path only with an identity comparison.
 */
final class QueryOfDeath {
    private final int needed;
    private long seq = -1;
    /**
     * Replicas (slot bits) that crashed at {@link #seq}, that hung there, that broke the protocol in the reply
     * they owed to it, and that sent a reply nobody asked for after it.
     */
    private int crashed;
    private int hung;
    private int broke;
    private int unasked;
    /** The failures at {@link #seq} were found replaying it alone, not live; and whether replicas answered it live. */
    private boolean replayedAlone;
    private boolean answeredLive;

    /** The request f+1 replicas crashed or hung on (the same object as its {@link ReplayLog} entry), or null. */
    private Request suspect;
    private long suspectSeq;
    /** How the suspect failed the first time, e.g. {@code crashed 2 replicas before any answered it}. */
    private String suspectFirst;
    /**
     * The suspect was found replaying it alone: replicas answered it live, or it is still in flight and may yet be
     * answered, so it stays in the log whatever its replays do.
     */
    private boolean suspectKept;
    /** Replicas answered the suspect live. */
    private boolean suspectAnswered;
    /** The suspect's name, or null; and how it failed replicas the first time, e.g. {@code crashed 2 replicas}. */
    private String suspectName;
    private String suspectFailures;
    /** Replicas (slot bits) the suspect failed the first time. */
    private int suspectSlots;
    /** Replicas (slot bits) that crashed, hung or broke the protocol while the oldest request they owed was the replayed suspect. */
    private int failedReplaying;

    /** @param needed how many replicas failing at one request make it the request's doing (f+1) */
    QueryOfDeath(int needed) {
        this.needed = needed;
    }

    /**
     * Replica {@code slot} crashed, hung or broke the protocol ({@code kind} is {@link FaultKind#CRASH}, {@link
     * FaultKind#HANG} or {@link FaultKind#PROTOCOL}) at request {@code seq}, while that was the oldest request
     * it had not answered. True when this failure is the one that makes {@code needed} distinct replicas; later
     * ones at the same request return false.
     */
    boolean failed(long seq, int slot, FaultKind kind) {
        int before = at(seq);
        int bit = 1 << slot;
        if (kind == FaultKind.CRASH) {
            crashed |= bit;
        } else if (kind == FaultKind.HANG) {
            hung |= bit;
        } else {
            broke |= bit;
        }
        return before < needed && replicas() >= needed;
    }

    /**
     * Replica {@code slot} crashed, hung or broke the protocol replaying request {@code seq} alone, sent so because an
     * earlier replay failed somewhere in a window of requests it was in. Counted like {@link #failed}.
     *
     * @param answered replicas answered it when it ran live
     */
    boolean failedReplayingAlone(long seq, int slot, FaultKind kind, boolean answered) {
        boolean enough = failed(seq, slot, kind);
        replayedAlone = true;
        answeredLive |= answered;
        return enough;
    }

    /** Replica {@code slot} sent a reply nobody asked for, {@code seq} being the latest request. Like {@link #failed}. */
    boolean answeredUnasked(long seq, int slot) {
        int before = at(seq);
        unasked |= 1 << slot;
        return before < needed && replicas() >= needed;
    }

    /** Counts at request {@code seq} from now on (anew if it is another one); returns how many failed there before. */
    private int at(long seq) {
        if (seq != this.seq) {
            this.seq = seq;
            crashed = 0;
            hung = 0;
            broke = 0;
            unasked = 0;
            replayedAlone = false;
            answeredLive = false;
        }
        return replicas();
    }

    /** How many distinct replicas failed at the current request. */
    int replicas() {
        return Integer.bitCount(crashed | hung | broke | unasked);
    }

    /**
     * True if every replica that failed at the current request did so by a reply nobody asked for: deterministic
     * replies to a request some replica had answered, not something an outside event does.
     */
    boolean onlyUnaskedReplies() {
        return (crashed | hung | broke) == 0;
    }

    /**
     * What happened at the current request, e.g. {@code 2 replicas crashed at request #7 (EXIT) before
     * any answered it (process 12 exited with code 3)}.
     *
     * @param name the request's name, or null if it is no longer known
     * @param evidence the last fault's evidence
     */
    String what(String name, String evidence) {
        return failedAt(name) + " (" + evidence + ")";
    }

    /** {@code 2 replicas crashed at request #7 (EXIT) before any answered it}: what failed at the current request. */
    private String failedAt(String name) {
        return replicas() + " replicas " + verbs(crashed, hung, broke | unasked, "crashed", "hung", "broke the protocol")
                + " at request #" + seq + (name == null ? "" : " (" + name + ")") + when();
    }

    /** When the failures at the current request happened: live before any replica answered it, or replaying it alone. */
    private String when() {
        if (unasked != 0) {
            return "";
        }
        if (replayedAlone) {
            return " when replayed alone" + (answeredLive ? ", though replicas answered it when it ran" : "");
        }
        return " before any answered it";
    }

    /** Why the group stops when f+1 replicas sent a reply nobody asked for after the current request. */
    String reason(String name, String evidence) {
        return what(name, evidence) + ": the request's doing, not theirs; replaying it into replacements would break"
                + " them too";
    }

    /**
     * The current request's failures included a crash or a hang: it is suspect until replayed once more.
     *
     * @param request the request, the same object as its replay log entry
     * @param name its name, or null if it is not known
     */
    void suspect(Request request, String name) {
        suspect = request;
        suspectSeq = seq;
        suspectFirst = happened(name);
        suspectName = name;
        suspectFailures = failures();
        suspectKept = replayedAlone;
        suspectAnswered = replayedAlone && answeredLive;
        suspectSlots = crashed | hung | broke | unasked;
        failedReplaying = 0;
    }

    /** The suspect's sequence number, or -1 if there is none. */
    long suspectSeq() {
        return suspect == null ? -1 : suspectSeq;
    }

    /** True if {@code replayed} (a request a replica owes as part of its replay) is the suspect. */
    boolean isSuspect(Object replayed) {
        return suspect != null && replayed == suspect;
    }

    /** A replica answered a replayed request: if it is the suspect, the failures were not its doing. O(1). */
    void answered(Object replayed) {
        if (suspect != null && replayed == suspect) {
            suspect = null;
        }
    }

    /**
     * Replica {@code slot} crashed, hung or broke the protocol while the oldest request it owed was the replayed
     * suspect. True when this is the failure that makes {@code needed} distinct replicas.
     */
    boolean failedReplaying(int slot) {
        int before = Integer.bitCount(failedReplaying);
        failedReplaying |= 1 << slot;
        return before < needed && Integer.bitCount(failedReplaying) >= needed;
    }

    /**
     * True if the suspect must stay in the replay log even once it failed f+1 replacements: it was found replaying it
     * alone, so its client had its answer or may yet have it ({@link #unreplayable}, not {@link #skip}).
     */
    boolean suspectKept() {
        return suspectKept;
    }

    /**
     * The suspect failed f+1 replacements too ({@link #failedReplaying} said so): it is the request's doing.
     * Returns what to skip and why, and forgets the suspect. Not for a suspect that is {@linkplain #suspectKept kept}.
     */
    Skip skip(String evidence) {
        int replaying = failedReplaying;
        Skip skip = new Skip(suspectSeq, suspect, suspectSlots | replaying,
                Integer.bitCount(suspectSlots) + Integer.bitCount(replaying),
                suspectFirst + ", then " + Integer.bitCount(replaying) + " of their replacements when replayed ("
                        + evidence + "): the request's doing, not theirs; it is dropped from the replay log, and the"
                        + " replacements are rebuilt without it");
        suspect = null;
        return skip;
    }

    /**
     * A {@linkplain #suspectKept kept} suspect failed f+1 replacements too: every server that replays it fails, and it
     * cannot be dropped. Returns what to report: above all one line saying so and what the operator can do, e.g.
     * {@code request #3 (EXIT) kills every server that replays it, though replicas answered it when it ran: it crashed 2
     * replicas when replayed alone, then 2 of their replacements; ...}; and forgets the suspect.
     *
     * @param executed how many replicas are live, all of which executed it
     * @param replicas how many replicas the group has
     */
    Unreplayable unreplayable(int executed, int replicas) {
        String request = "request #" + suspectSeq + (suspectName == null ? "" : " (" + suspectName + ")");
        String line = request + " kills every server that replays it, though " + (suspectAnswered
                ? "replicas answered it when it ran" : "it is in flight and its client may yet have its answer") + ": it "
                + suspectFailures + " when replayed alone, then " + Integer.bitCount(failedReplaying) + " of their"
                + " replacements; a replacement cannot be rebuilt by replay, so it is kept in the replay log (dropping it"
                + " would undo a write its client was told of) and the group runs on the " + executed + " of " + replicas
                + " replicas that executed it" + (executed < needed ? ", too few to agree on an answer (" + needed
                + " must), so clients get errors" : "") + ", restarting the others with back-off: fix what makes the"
                + " server fail on it, and the next replacement to replay it rejoins";
        Unreplayable found = new Unreplayable(suspectSeq, request,
                Integer.bitCount(suspectSlots) + Integer.bitCount(failedReplaying), executed, replicas - executed,
                executed >= needed, line);
        suspect = null;
        return found;
    }

    /**
     * A request that kills every server replaying it, found out, which is kept in the replay log all the same.
     *
     * @param seq its sequence number
     * @param request how it is named, e.g. {@code request #3 (EXIT)}
     * @param replacementsFailed how many replacements failed replaying it alone, as counted: those of f+1 replicas
     *     that made it the suspect, then those of f+1 that failed at it again
     * @param executed the live replicas, all of which executed it, that the group runs on
     * @param notRebuilt the others, which no replacement can be rebuilt by replay for until one replays it
     * @param serving {@code executed} are enough to agree on an answer (f+1)
     * @param reason one line for people
     */
    record Unreplayable(long seq, String request, int replacementsFailed, int executed, int notRebuilt,
                        boolean serving, String reason) {
    }

    /**
     * A request of death, found out.
     *
     * @param seq its sequence number
     * @param request the request, the same object as its replay log entry
     * @param slots the replicas (slot bits) it failed, the first time or when replayed
     * @param processes how many processes it failed, replacements included
     * @param reason one line for people
     */
    record Skip(long seq, Request request, int slots, int processes, String reason) {
    }

    /**
     * What the client of the current request is told when f+1 replicas failed at it before any answered, e.g.
     * {@code 2 replicas crashed at request #7 (EXIT) before any answered it; it may or may not have taken effect}.
     * Not "the request killed them": this may still be an outside kill. When a replica broke the protocol in its
     * reply, {@code evidence} is shown too: the reply itself is the problem, e.g. one over {@code maxReplyBytes}.
     */
    String clientError(String name, String evidence) {
        return failedAt(name) + (broke != 0 ? " (" + evidence + ")" : "") + "; it may or may not have taken effect";
    }

    /**
     * What the client of a request sent after the current one is told when the replicas that failed at the
     * current one take it down with them, e.g. {@code request #8 (INCR) was queued behind request #7 (EXIT), at
     * which 2 replicas crashed before any answered it; it may or may not have taken effect}.
     */
    String queuedError(long queuedSeq, String queuedName, String name) {
        return "request #" + queuedSeq + " (" + queuedName + ") was queued behind request #" + seq
                + (name == null ? "" : " (" + name + ")") + ", at which " + replicas() + " replicas "
                + verbs(crashed, hung, broke | unasked, "crashed", "hung", "broke the protocol")
                + (unasked == 0 ? " before any answered it" : "") + "; it may or may not have taken effect";
    }

    /**
     * {@code request #7 (EXIT) crashed 2 replicas before any answered it}, or {@code ... made 2 replicas crash or
     * break the protocol before any answered it}.
     */
    private String happened(String name) {
        return "request #" + seq + (name == null ? "" : " (" + name + ")") + " " + failures() + when();
    }

    /** {@code crashed 2 replicas}, or {@code made 2 replicas crash or break the protocol}: what the current request did. */
    private String failures() {
        if ((broke | unasked) == 0) {
            return verbs(crashed, hung, 0, "crashed", "hung", "") + " " + replicas() + " replicas";
        }
        return "made " + replicas() + " replicas " + verbs(crashed, hung, broke | unasked, "crash", "hang",
                "break the protocol");
    }

    /** "crashed", "hung", "crashed or hung", "crashed, hung or broke the protocol", ...: the kinds present. */
    private static String verbs(int crashed, int hung, int broke, String crash, String hang, String brk) {
        StringBuilder sb = new StringBuilder();
        String[] words = {crashed != 0 ? crash : null, hung != 0 ? hang : null, broke != 0 ? brk : null};
        int total = (crashed != 0 ? 1 : 0) + (hung != 0 ? 1 : 0) + (broke != 0 ? 1 : 0);
        int written = 0;
        for (String w : words) {
            if (w != null) {
                sb.append(written == 0 ? "" : written == total - 1 ? " or " : ", ").append(w);
                written++;
            }
        }
        return sb.toString();
    }
}
