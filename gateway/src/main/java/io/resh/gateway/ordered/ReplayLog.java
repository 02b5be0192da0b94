package io.resh.gateway.ordered;

import io.resh.gateway.protocol.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * The state-changing requests since the group started, in sequence order: replaying them into a
 * freshly started server rebuilds the state every other replica has. Bounded by entries and bytes;
 * past either bound the log is dropped and marked overflowed, because a log with a hole can no longer
 * rebuild anything.
 */
public final class ReplayLog {
    private final long maxBytes;
    private final int maxEntries;
    private final List<Request> entries = new ArrayList<>();
    private long bytes;
    private long appended;
    private boolean overflowed;

    public ReplayLog(long maxBytes, int maxEntries) {
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /** Appends a request; returns false if this append overflowed the log (or it already had). */
    public boolean append(Request request) {
        if (overflowed) {
            return false;
        }
        if (entries.size() + 1 > maxEntries || bytes + request.bytes().length > maxBytes) {
            overflowed = true;
            entries.clear();
            bytes = 0;
            return false;
        }
        entries.add(request);
        bytes += request.bytes().length;
        appended++;
        return true;
    }

    public int size() {
        return entries.size();
    }

    public Request get(int index) {
        return entries.get(index);
    }

    public long bytes() {
        return bytes;
    }

    /** True once a bound was exceeded: replicas can no longer be rebuilt by replay. */
    public boolean overflowed() {
        return overflowed;
    }

    /** How many requests were ever appended. */
    public long appended() {
        return appended;
    }
}
