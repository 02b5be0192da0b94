package io.resh.cluster;

import io.resh.core.ReshException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.util.ProtoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host's {@code cluster.storage} directory. Ratis keeps one subdirectory per Raft group there, named by the
 * group's UUID, and starts every group it finds; a host runs one group, whose id is derived from the cluster's
 * name. The name is recorded in the group's directory, since the id alone cannot tell a user which name it was.
 */
final class ClusterStorage {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStorage.class);
    /** Beside Ratis's own files in a group's directory; Ratis looks only at its {@code current} and {@code sm}. */
    static final String NAME_FILE = "resh-cluster-name";
    /** The id of the host whose log this is: Raft's votes and acknowledgements belong to it alone. */
    static final String HOST_FILE = "resh-host-id";
    /** Ratis's directory of the log and its metadata in a group's directory. */
    private static final String RATIS_CURRENT = "current";
    /** Where Ratis keeps the configuration entry it applied last, in {@link #RATIS_CURRENT}. */
    private static final String RATIS_APPLIED_CONFIGURATION = "raft-meta.conf";

    private final Path dir;

    ClusterStorage(Path dir) {
        this.dir = dir;
    }

    Path groupDir(RaftGroupId group) {
        return dir.resolve(group.getUuid().toString());
    }

    /**
     * Refuses a storage that holds another group than {@code group}: Ratis would start it beside this host's
     * own, made afresh and empty, and from then on fail to start both ("ILLEGAL TRANSITION ... STARTING ->
     * STARTING") until a user removes one by hand.
     *
     * @param name the cluster name {@code group} is derived from
     */
    void refuseOtherGroups(String hostId, String name, RaftGroupId group) {
        List<UUID> others = otherGroups(group);
        if (others.isEmpty()) {
            return;
        }
        List<String> held = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (UUID other : others) {
            held.add(recordedName(other).map(n -> "cluster '" + n + "'")
                    .orElse("another cluster (Raft group " + other + ")"));
            dirs.add(dir.resolve(other.toString()).toString());
        }
        throw new ReshException("cannot start cluster host " + hostId + ": its storage " + dir + " holds the Raft log of "
                + String.join(" and ", held) + ", but its config names cluster '" + name + "' (cluster.name, or"
                + " group: when there is no cluster.name); put the old name back, or, if that log is not needed, point"
                + " cluster.storage at an empty directory or remove " + String.join(" and ", dirs));
    }

    /**
     * Refuses the storage of another host of the cluster. Ratis would start on it as this host: with the other's
     * log and votes, a majority could then be counted with one host twice and a committed write undone.
     */
    void refuseOtherHost(String hostId, RaftGroupId group) {
        Optional<String> owner = read(groupDir(group).resolve(HOST_FILE));
        if (owner.isPresent() && !owner.get().equals(hostId)) {
            throw new ReshException("cannot start cluster host " + hostId + ": its storage " + dir + " holds the Raft"
                    + " log of host " + owner.get() + ", and a host started on another's log could undo committed writes;"
                    + " point cluster.storage at " + hostId + "'s own storage ({id} in it gives each host its own)");
        }
    }

    /**
     * The members in the Raft configuration {@code group}'s storage holds, as Ratis recovers it when it starts: the
     * newest configuration entry of the log, or the one last applied ({@code raft-meta.conf}) if that is newer or
     * the log holds none. Read before anything starts, so that a host at odds with it is refused before its
     * local group starts: Ratis reads it only after it has had the state machine start the group.
     *
     * @return empty for a storage with no configuration (Ratis starts from {@code cluster.peers}), and for one
     *     this cannot read (Ratis's own start reports what it finds)
     */
    Optional<List<RaftPeer>> recordedPeers(RaftGroupId group, RaftProperties properties) {
        Path current = groupDir(group).resolve(RATIS_CURRENT);
        if (!Files.isDirectory(current)) {
            return Optional.empty();
        }
        try {
            LogEntryProto logged = newestConfigurationInLog(current, properties);
            LogEntryProto applied = appliedConfiguration(current);
            LogEntryProto newest = logged == null || applied != null && applied.getIndex() > logged.getIndex()
                    ? applied : logged;
            return Optional.ofNullable(newest)
                    .map(e -> ProtoUtils.toRaftPeers(e.getConfigurationEntry().getPeersList()));
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the Raft configuration in {}: {}; Ratis reports what it finds", current, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Reads the segments newest first, up to the first that holds a configuration entry: every leader's term begins
     * with one, so this reads the last term's part of the log, not all of it.
     */
    private static LogEntryProto newestConfigurationInLog(Path current, RaftProperties properties) throws IOException {
        List<LogSegmentPath> segments;
        try (Stream<Path> files = Files.list(current)) {
            segments = files.map(LogSegmentPath::matchLogSegment).filter(Objects::nonNull)
                    .sorted(Comparator.comparing(LogSegmentPath::getStartEnd).reversed()).toList();
        }
        for (LogSegmentPath segment : segments) {
            AtomicReference<LogEntryProto> last = new AtomicReference<>();
            LogSegment.readSegmentFile(segment.getPath().toFile(), segment.getStartEnd(),
                    RaftServerConfigKeys.Log.Appender.bufferByteLimit(properties),
                    RaftServerConfigKeys.Log.corruptionPolicy(properties), null, e -> {
                        if (e.hasConfigurationEntry()) {
                            last.set(e);
                        }
                    });
            if (last.get() != null) {
                return last.get();
            }
        }
        return null;
    }

    /** The configuration entry Ratis wrote when it last applied one, or null. */
    private static LogEntryProto appliedConfiguration(Path current) throws IOException {
        try (InputStream in = Files.newInputStream(current.resolve(RATIS_APPLIED_CONFIGURATION))) {
            LogEntryProto e = LogEntryProto.parseFrom(in);
            return e.hasConfigurationEntry() ? e : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Records the id of the host whose log this is, for {@link #refuseOtherHost}. */
    void recordHost(RaftGroupId group, String hostId) {
        Path file = groupDir(group).resolve(HOST_FILE);
        try {
            if (Files.isDirectory(file.getParent()) && read(file).isEmpty()) {
                Files.writeString(file, hostId, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // Only a later check would lack it, as in a storage made by an older resh: not a reason to stop a host.
            LOG.warn("cannot record the host id in {}: {}", file, e.toString());
        }
    }

    /** Records the name of {@code group}'s cluster, for {@link #refuseOtherGroups} after a rename. */
    void recordName(RaftGroupId group, String name) {
        Path file = groupDir(group).resolve(NAME_FILE);
        try {
            if (Files.isDirectory(file.getParent()) && !name.equals(read(file).orElse(null))) {
                Files.writeString(file, name, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            // Only a later error message would lack the name: not a reason to stop a host.
            LOG.warn("cannot record the cluster name in {}: {}", file, e.toString());
        }
    }

    /** Raft groups with a directory here, other than {@code group}; as Ratis, it skips names that are no UUID. */
    private List<UUID> otherGroups(RaftGroupId group) {
        List<UUID> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.sorted().toList()) {
                UUID id = uuid(p.getFileName().toString());
                if (id != null && !id.equals(group.getUuid()) && Files.isDirectory(p)) {
                    out.add(id);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list {}: {}; Ratis reports what it finds", dir, e.toString());
        }
        return out;
    }

    /** The name recorded for {@code group}, if it is the one the group's id was derived from. */
    private Optional<String> recordedName(UUID group) {
        return read(dir.resolve(group.toString()).resolve(NAME_FILE))
                .filter(n -> ClusterNode.groupIdOf(n).getUuid().equals(group));
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static UUID uuid(String name) {
        try {
            return UUID.fromString(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
