package io.resh.admin;

/**
 * What the admin API needs from a host of a resh cluster: its view of the cluster, and Raft membership
 * changes. The cluster module is built after this one, so the host supplies an implementation when it
 * starts its {@link AdminServer}; a plain replica group has none.
 *
 * <p>The admin server calls every method on one of its action threads, never on a network thread, so an
 * implementation may block (a membership change waits for the new configuration to commit).
 *
 * <p>How failures reach the API caller:
 * <ul>
 *   <li>{@link IllegalArgumentException}: the input is unusable (a bad id or {@code host:port}); its message
 *       names the field. Answered 400.</li>
 *   <li>{@link IllegalStateException}: the change does not apply to the current membership (already a
 *       member, not a member, the last member). Answered 409.</li>
 *   <li>any other runtime exception: the change was tried and failed (no leader, no majority, timeout); its
 *       message says why. Answered 503; the caller may retry. An implementation gives up within a bound
 *       (a cluster host: its request timeout, at most 20 s) so that the caller gets this answer rather
 *       than a timeout of its own.</li>
 * </ul>
 */
public interface ClusterMembership {
    /**
     * This host's view as one JSON object: at least {@code id}, {@code role}, {@code leader}, {@code term},
     * {@code commitIndex}, {@code appliedIndex}, {@code snapshotIndex}, {@code appliedRequests} and
     * {@code peers} (each {@code {id, address, client}}).
     */
    String statusJson();

    /**
     * Adds a host that is already running and waiting to join; returns once the new configuration is
     * committed.
     *
     * @param id the new host's peer id
     * @param address {@code host:port} of its Raft server
     * @param client {@code host:port} of its client front door
     */
    void addPeer(String id, String address, String client);

    /** Removes host {@code id}; returns once the new configuration is committed. */
    void removePeer(String id);

    /** Hands the leader role to member {@code id} (Raft leadership transfer); returns once it leads. */
    void transferLeadership(String id);
}
