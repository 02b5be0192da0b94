package io.resh.host;

import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.ReshException;
import io.resh.replica.Frame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Delivers injected faults to a group's replicas — signals from the host, the rest as INJECT frames the
 * replica runtime carries out — and completes each injection's future once the replica reports what it
 * did. Touched only by the group loop thread.
 */
final class Injections {
    private final GroupLoop loop;
    private final Map<Integer, ArrayDeque<CompletableFuture<String>>> pending = new HashMap<>();

    Injections(GroupLoop loop) {
        this.loop = loop;
    }

    CompletableFuture<String> inject(Slot slot, InjectedFault fault, long arg) {
        CompletableFuture<String> done = new CompletableFuture<>();
        if (!slot.hasProcess()) {
            done.completeExceptionally(new IllegalStateException("replica " + slot.index + " has no running process ("
                    + slot.state.label() + ")"));
            return done;
        }
        long pid = slot.pid();
        switch (fault) {
            case CRASH -> {
                slot.process.crash(); // SIGKILL; detection sees a crash like any other
                done.complete(pid > 0 ? "SIGKILL sent to pid " + pid : "SIGKILL sent to the replica as it starts");
            }
            case HANG -> {
                slot.process.markStopped();
                done.complete(Signals.stop(pid));
            }
            default -> {
                slot.outbox.add(new Frame.Inject(fault.ordinal(), arg));
                pending.computeIfAbsent(slot.index, k -> new ArrayDeque<>()).add(done);
            }
        }
        if (!fault.insideReplica()) {
            loop.emit(new GroupEvent.FaultInjected(loop.millis(), loop.config.name(), slot.index, slot.cpu,
                    loop.log.lastSequence(), fault.label(), done.getNow("")));
        }
        return done;
    }

    /** The replica carried an injected fault out. */
    void injected(Slot slot, Frame.Injected i) {
        InjectedFault kind = InjectedFault.values()[i.fault()];
        if (!i.carriedOut()) {
            // Nothing happened to the replica: no event, and the caller learns why.
            ArrayDeque<CompletableFuture<String>> q = pending.get(slot.index);
            if (q != null && !q.isEmpty()) {
                q.poll().completeExceptionally(new ReshException("replica " + slot.index + " could not carry out "
                        + kind.label() + ": " + i.detail()));
            }
            return;
        }
        if (slot.injected == null) {
            slot.injected = new ArrayList<>(2);
        }
        slot.injected.add(kind.label());
        loop.emit(new GroupEvent.FaultInjected(loop.millis(), loop.config.name(), slot.index, slot.cpu,
                loop.log.lastSequence(), kind.label(), i.detail()));
        ArrayDeque<CompletableFuture<String>> q = pending.get(slot.index);
        if (q != null && !q.isEmpty()) {
            q.poll().complete(i.detail());
        }
    }

    /** The slot's process is being replaced: injections it did not carry out never will be. */
    void replaced(Slot slot) {
        slot.injected = null; // the next incarnation carries none of them
        ArrayDeque<CompletableFuture<String>> q = pending.remove(slot.index);
        if (q != null) {
            q.forEach(f -> f.complete("replica was replaced before it carried the fault out"));
        }
    }
}
