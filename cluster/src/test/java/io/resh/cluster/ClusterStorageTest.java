package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.host.testing.TestGroups;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.util.ProtoUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft configuration a storage holds, read before Ratis starts, is the one Ratis recovers: a host whose
 * addresses differ from it is refused before its local group starts.
 */
class ClusterStorageTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldReadTheNewestRaftConfigurationOfTheLogOrTheOneLastApplied() throws Exception {
        Path storage = dir.resolve("h1");
        ClusterPeer known = Loopback.peer("h1");
        ClusterConfig config = Loopback.config("h1", List.of(known), storage, 1000);
        RaftGroupId group = ClusterNode.groupIdOf(config.name());
        ClusterStorage cs = new ClusterStorage(storage);
        RaftProperties properties = ClusterNode.properties(config, true, 1 << 10);
        assertThat(cs.recordedPeers(group, properties)).as("a new storage").isEmpty();

        // Twice: each leader's term begins with a configuration entry, so the log holds one past index 0. Each is
        // awaited committed (on disk, for a lone host): a host closed as soon as it leads may not have written it yet.
        for (int i = 0; i < 2; i++) {
            long entry = i;
            try (ClusterNode node = ClusterNode.start(config, TestGroups.counter("conf", 1, dir).build(), List.of())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> node.status().leading() && node.status().commitIndex() >= entry);
            }
        }
        assertThat(peers(cs, group, properties)).containsExactly(known);

        Path applied = cs.groupDir(group).resolve("current").resolve("raft-meta.conf");
        ClusterPeer elsewhere = Loopback.peer("h1");
        Files.write(applied, configuration(0, elsewhere).toByteArray());
        assertThat(peers(cs, group, properties)).as("the log's configuration is newer").containsExactly(known);

        Files.write(applied, configuration(Long.MAX_VALUE, elsewhere).toByteArray());
        assertThat(peers(cs, group, properties)).as("the applied one is newer (a snapshot installed)")
                .containsExactly(elsewhere);

        Files.delete(applied);
        assertThat(peers(cs, group, properties)).as("the log's alone").containsExactly(known);
    }

    private static List<ClusterPeer> peers(ClusterStorage cs, RaftGroupId group, RaftProperties properties) {
        return cs.recordedPeers(group, properties).orElseThrow().stream().map(ClusterNode::peerOf).toList();
    }

    private static LogEntryProto configuration(long index, ClusterPeer peer) {
        return LogEntryProto.newBuilder().setTerm(1).setIndex(index).setConfigurationEntry(RaftConfigurationProto
                .newBuilder().addAllPeers(ProtoUtils.toRaftPeerProtos(ClusterNode.raftPeers(List.of(peer))))).build();
    }
}
