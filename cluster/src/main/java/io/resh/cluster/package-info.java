/**
 * D-RESH: several hosts, each running its own voted replica group, kept in one order by Apache Ratis.
 *
 * <p>Every host runs a Ratis server whose state machine ({@link io.resh.cluster.ClusterStateMachine})
 * applies each committed log entry to the host's local {@link io.resh.host.ReplicaGroup} and returns the
 * voted reply; the leader answers the client. A Byzantine replica is masked inside its host by the
 * group's vote; a whole host may crash and the others go on. Ratis snapshots are the local group's
 * stable checkpoints, so a host that was down or is new catches up by snapshot install plus log replay.
 * With one peer, the Ratis log on disk makes a single host durable across a kill -9.
 *
 * <p>Entry points: {@link io.resh.cluster.ClusterNode} (one host), {@link io.resh.cluster.ClusterClient}
 * (exactly-once client with fail-over), {@link io.resh.cluster.ClusterConfig} (the {@code cluster:}
 * section of a config), {@link io.resh.cluster.ClusterBench} (loopback load for {@code resh bench cluster}).
 */
package io.resh.cluster;
