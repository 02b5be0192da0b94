package io.resh.cluster;

import io.resh.gateway.server.CheckpointStore;
import io.resh.gateway.server.Directories;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * The Raft snapshots of a host's gateway, one directory each in the state machine directory:
 * {@code snapshot.TERM_INDEX/} holding {@link GatewaySnapshot#META} and the servers' files under
 * {@link GatewaySnapshot#FILES}. Ratis sends a lagging or new host every file listed in {@link #getLatestSnapshot()},
 * each by its path relative to the state machine directory, and the host finds them in its own at the same place
 * (Ratis replaces the host's state machine directory with what it received, then the state machine reloads).
 *
 * <p>A snapshot is written into a directory whose name does not match, and renamed into place once complete, so a
 * crash leaves no partial snapshot that would be loaded.
 */
final class GatewaySnapshotStorage implements StateMachineStorage {
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final String PARTIAL = ".partial-";

    private volatile Path dir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        dir = raftStorage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(dir);
    }

    @Override
    public FileListSnapshotInfo getLatestSnapshot() {
        return latest;
    }

    @Override
    public void format() {
    }

    /** The directory of the snapshot at {@code at}. */
    Path dirOf(TermIndex at) {
        return dir.resolve("snapshot." + at.getTerm() + "_" + at.getIndex());
    }

    /**
     * Finds the newest complete snapshot directory (after a restart, or after Ratis installed the leader's) and
     * makes it the latest; null if there is none.
     */
    FileListSnapshotInfo loadLatestSnapshot() throws IOException {
        deletePartials();
        List<TermIndex> found = snapshots();
        latest = found.isEmpty() ? null : info(found.get(found.size() - 1));
        return latest;
    }

    /** What a snapshot cut short by a crash left; loading happens on the thread that writes snapshots. */
    private void deletePartials() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PARTIAL + "*")) {
            for (Path p : entries) {
                Directories.delete(p);
            }
        }
    }

    /** Every snapshot directory, oldest first. */
    private List<TermIndex> snapshots() throws IOException {
        List<TermIndex> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Matcher m = SNAPSHOT.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    found.add(TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                }
            }
        }
        found.sort(Comparator.comparingLong(TermIndex::getIndex));
        return found;
    }

    /** The files Ratis sends of the snapshot at {@code at}: its metadata and the servers' files it lists. */
    private FileListSnapshotInfo info(TermIndex at) throws IOException {
        Path snapshot = dirOf(at);
        GatewaySnapshot meta = GatewaySnapshot.read(snapshot);
        List<FileInfo> files = new ArrayList<>();
        // No MD5 given: Ratis sums each file as it sends it, and the receiving host checks that sum.
        files.add(new FileInfo(snapshot.resolve(GatewaySnapshot.META), null));
        for (String f : meta.sums().keySet()) {
            files.add(new FileInfo(snapshot.resolve(GatewaySnapshot.FILES).resolve(f), null));
        }
        return new FileListSnapshotInfo(files, at);
    }

    /**
     * Writes the snapshot {@code meta} with the files of {@code checkpoint} (hard links where the file system allows,
     * copies otherwise: the gateway deletes its checkpoints as newer ones replace them) and makes it the latest.
     */
    FileListSnapshotInfo write(GatewaySnapshot meta, CheckpointStore.Stored checkpoint) throws IOException {
        TermIndex at = TermIndex.valueOf(meta.term(), meta.index());
        Path partial = dir.resolve(PARTIAL + at.getTerm() + "_" + at.getIndex());
        Directories.delete(partial);
        Path files = partial.resolve(GatewaySnapshot.FILES);
        Files.createDirectories(files);
        try {
            for (Map.Entry<String, byte[]> e : meta.sums().entrySet()) {
                Path from = checkpoint.dir().resolve(e.getKey());
                Path to = files.resolve(e.getKey());
                Files.createDirectories(to.getParent());
                try {
                    Files.createLink(to, from);
                } catch (FileSystemException | UnsupportedOperationException e2) {
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                }
                // The gateway copied it without forcing it to disk, and Ratis purges the log before this snapshot.
                force(to);
            }
            meta.write(partial);
            forceDirectory(files);
            forceDirectory(partial);
            Path target = dirOf(at);
            Directories.delete(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } catch (IOException e) {
            Directories.delete(partial);
            throw e;
        }
        latest = info(at);
        return latest;
    }

    private static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Makes the names in {@code directory} durable where the platform can (Linux can; some others cannot). */
    private static void forceDirectory(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not supported here: the rename is still atomic, only not yet durable.
        }
    }

    /** Keeps the newest {@code policy.getNumSnapshotsRetained()} snapshots (all when it is not positive). */
    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = policy.getNumSnapshotsRetained();
        if (keep <= 0) {
            return;
        }
        List<TermIndex> found = snapshots();
        FileListSnapshotInfo current = latest;
        for (int i = 0; i < found.size() - keep; i++) {
            if (current != null && found.get(i).equals(current.getTermIndex())) {
                continue;
            }
            Directories.delete(dirOf(found.get(i)));
        }
    }
}
