package io.resh.cluster;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;

/** Which members have not answered this host, as the leader, for longer than a given time. */
final class FollowerSilence {
    private FollowerSilence() {
    }

    /**
     * The members among the leader's followers that have been silent for over {@code after}, sorted by id.
     *
     * <p>Ratis dates a new leader's followers' last answer an election timeout before the leadership began, so
     * that until they first answer it every one of them looks silent for longer than that: the leader warned of
     * all its followers at once right after an election on a loaded machine, and called that no majority. A
     * follower is counted silent only once the leadership itself is older than {@code after}.
     *
     * @param members the current members' ids: a host being added is a follower too, but has no vote yet
     */
    static Set<String> of(RoleInfoProto role, Set<String> members, Duration after) {
        long afterMs = after.toMillis();
        if (role.getRoleElapsedTimeMs() <= afterMs) {
            return Set.of();
        }
        return role.getLeaderInfo().getFollowerInfoList().stream()
                .filter(f -> f.getLastRpcElapsedTimeMs() > afterMs)
                .map(f -> f.getId().getId().toStringUtf8()).filter(members::contains)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
