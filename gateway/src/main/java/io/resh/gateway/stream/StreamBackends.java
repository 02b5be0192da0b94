package io.resh.gateway.stream;

import io.resh.core.FaultKind;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerProcess;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which replica processes new client connections should reach. A started process joins at once (a
 * restarted replica starts empty; stream mode has no log to replay); a failed one is dropped from
 * every open connection.
 */
public final class StreamBackends implements ServerGroup.Engine {
    private final ServerGroup group;
    private final ServerProcess[] live;
    private final Set<StreamSession> sessions = new LinkedHashSet<>();

    public StreamBackends(ServerGroup group, int replicas) {
        this.group = group;
        this.live = new ServerProcess[replicas];
    }

    @Override
    public void attach(int slot, ServerProcess process) {
        live[slot] = process;
        group.caughtUp(slot, 0, 0);
    }

    @Override
    public void detach(int slot) {
        live[slot] = null;
        for (StreamSession s : sessions.toArray(new StreamSession[0])) {
            s.exclude(slot);
        }
    }

    @Override
    public void exited(int slot, String evidence) {
        group.fault(slot, FaultKind.CRASH, 0, evidence); // no request order in stream mode
    }

    @Override
    public boolean canRebuild() {
        return true;
    }

    /** The replicas a new connection should reach, by slot (null where a replica is out). */
    ServerProcess[] snapshot() {
        return live.clone();
    }

    void register(StreamSession s) {
        sessions.add(s);
    }

    void unregister(StreamSession s) {
        sessions.remove(s);
    }

    /** Hang detection over every open connection; call periodically on the event loop. */
    public void tick(long nowNanos) {
        for (StreamSession s : sessions.toArray(new StreamSession[0])) {
            s.tick(nowNanos);
        }
    }

    public int sessions() {
        return sessions.size();
    }
}
