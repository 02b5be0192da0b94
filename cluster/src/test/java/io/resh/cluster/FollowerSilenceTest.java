package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class FollowerSilenceTest {
    private static final Duration ELECTION_MAX = Duration.ofSeconds(2);
    private static final Set<String> MEMBERS = Set.of("h1", "h2", "h3");

    /** A leader's view: how long it has led, and how long ago each follower last answered it. */
    private static RoleInfoProto leading(long forMs, long h2SilentMs, long h3SilentMs) {
        return RoleInfoProto.newBuilder().setRole(RaftPeerRole.LEADER).setRoleElapsedTimeMs(forMs)
                .setLeaderInfo(LeaderInfoProto.newBuilder()
                        .addFollowerInfo(follower("h2", h2SilentMs)).addFollowerInfo(follower("h3", h3SilentMs)))
                .build();
    }

    private static ServerRpcProto follower(String id, long silentMs) {
        return ServerRpcProto.newBuilder().setId(RaftPeerProto.newBuilder().setId(ByteString.copyFromUtf8(id)))
                .setLastRpcElapsedTimeMs(silentMs).build();
    }

    /**
     * Ratis dates the followers' last answer an election timeout before a new leadership: the leader of three hosts
     * started together on a busy machine logged both followers as silent for over 2 s, 2 s after it was up.
     */
    @Test
    void shouldNotCountFollowersSilentBeforeTheLeadershipIsOlderThanTheBound() {
        assertThat(FollowerSilence.of(leading(300, 2_300, 2_300), MEMBERS, ELECTION_MAX)).isEmpty();
    }

    @Test
    void shouldCountAFollowerSilentForLongerThanTheBoundOnceLeadingLongerThanIt() {
        assertThat(FollowerSilence.of(leading(60_000, 2_500, 100), MEMBERS, ELECTION_MAX)).containsExactly("h2");
    }

    @Test
    void shouldNotCountAHostThatIsNoMemberYet() {
        assertThat(FollowerSilence.of(leading(60_000, 5_000, 5_000), Set.of("h1", "h2"), ELECTION_MAX))
                .containsExactly("h2");
    }
}
