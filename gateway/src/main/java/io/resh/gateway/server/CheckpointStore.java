package io.resh.gateway.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers' saved state, copied out of a replica's data directory at a checkpoint and into a replacement's
 * before it starts. Each checkpoint is a directory named by its request number; its files' SHA-256 sums are taken
 * while they are copied in and checked while they are copied out, so a stored file that changed (a disk error,
 * someone's edit) is refused instead of starting a replica from it.
 *
 * <p>{@link #store} runs on a worker thread, {@link #promote} on the event loop, {@link #seed} on the thread that
 * starts a server: every method is synchronized, and a seed copies the checkpoint that was current when it began.
 */
public final class CheckpointStore {
    /**
     * A stored checkpoint: its request number, directory, total size, each file's SHA-256, and the voted reply to the
     * digest request that a server started from it must give.
     */
    public record Stored(long sequence, Path dir, long bytes, Map<String, byte[]> sums, byte[] digest) {
    }

    private final Path root;
    private final List<String> files;
    private final List<Stored> stored = new ArrayList<>();
    private Stored current;

    /** @param files what a server's save writes, relative to its data directory */
    public CheckpointStore(Path root, List<String> files) {
        this.root = root;
        this.files = List.copyOf(files);
    }

    /**
     * Copies the checkpoint's files from {@code dataDir} (the replica that saved them), summing them as they go.
     *
     * @throws IOException naming the file that is missing or could not be copied
     */
    public Stored store(long sequence, Path dataDir, byte[] digest) throws IOException {
        Path dir = root.resolve(Long.toString(sequence));
        Path partial = root.resolve(sequence + ".partial");
        Directories.delete(partial);
        Files.createDirectories(partial);
        Map<String, byte[]> sums = new LinkedHashMap<>();
        long bytes = 0;
        try {
            for (String f : files) {
                Path from = dataDir.resolve(f);
                Path to = partial.resolve(f);
                Files.createDirectories(to.getParent());
                try {
                    sums.put(f, copy(from, to));
                } catch (NoSuchFileException e) {
                    throw new IOException("the server saved no " + f + " in " + dataDir
                            + " (checkpoint.files names what checkpoint.save writes there)", e);
                }
                bytes += Files.size(to);
            }
            Directories.delete(dir);
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Directories.delete(partial);
            throw e;
        }
        Stored s = new Stored(sequence, dir, bytes, sums, digest);
        synchronized (this) {
            stored.add(s);
        }
        return s;
    }

    /**
     * Takes in a checkpoint stored elsewhere (a cluster host's Raft snapshot) as the one replicas start from: copies
     * its files in, each checked against its SHA-256 as it is copied, so a file that changed since is refused here,
     * before any server starts from it.
     *
     * @throws IOException naming the file that is missing or differs from what was stored
     */
    public Stored adopt(Stored from) throws IOException {
        Path dir = root.resolve(Long.toString(from.sequence()));
        Directories.delete(dir);
        Files.createDirectories(dir);
        long bytes = 0;
        try {
            for (Map.Entry<String, byte[]> e : from.sums().entrySet()) {
                Path source = from.dir().resolve(e.getKey());
                Path to = dir.resolve(e.getKey());
                Files.createDirectories(to.getParent());
                byte[] sum;
                try {
                    sum = copy(source, to);
                } catch (NoSuchFileException missing) {
                    throw new IOException("the checkpoint at request #" + from.sequence() + " has no " + source, missing);
                }
                if (!MessageDigest.isEqual(sum, e.getValue())) {
                    throw new IOException("the checkpoint at request #" + from.sequence() + " was changed since it was"
                            + " stored: " + source + " has SHA-256 " + HexFormat.of().formatHex(sum) + ", stored "
                            + HexFormat.of().formatHex(e.getValue()));
                }
                bytes += Files.size(to);
            }
        } catch (IOException e) {
            Directories.delete(dir);
            throw e;
        }
        Stored s = new Stored(from.sequence(), dir, bytes, new LinkedHashMap<>(from.sums()), from.digest());
        synchronized (this) {
            stored.add(s);
            current = s;
        }
        return s;
    }

    /** Replicas start from checkpoint {@code sequence} from now on; older ones are deleted. False if it is not stored. */
    public synchronized boolean promote(long sequence) {
        Stored next = stored.stream().filter(s -> s.sequence() == sequence).findFirst().orElse(null);
        if (next == null) {
            return false;
        }
        current = next;
        for (Stored s : new ArrayList<>(stored)) {
            if (s.sequence() < sequence) {
                stored.remove(s);
                try {
                    Directories.delete(s.dir());
                } catch (IOException e) {
                    // Only space is lost; the next promote tries again with its own.
                }
            }
        }
        return true;
    }

    /** The checkpoint replicas start from now, or null before the first. */
    public synchronized Stored current() {
        return current;
    }

    /**
     * Copies checkpoint {@code from} into {@code dataDir}, checking every file against the sum taken when it was
     * stored. Returns the checkpoint's request number, or 0 if {@code from} is null (the server starts empty).
     *
     * @throws IOException if a file is missing or differs from what was stored
     */
    public static long seed(Stored from, Path dataDir) throws IOException {
        if (from == null) {
            return 0;
        }
        for (Map.Entry<String, byte[]> e : from.sums().entrySet()) {
            Path to = dataDir.resolve(e.getKey());
            Files.createDirectories(to.getParent());
            byte[] sum = copy(from.dir().resolve(e.getKey()), to);
            if (!MessageDigest.isEqual(sum, e.getValue())) {
                Files.deleteIfExists(to);
                throw new IOException("the checkpoint at request #" + from.sequence() + " was changed since it was stored: "
                        + from.dir().resolve(e.getKey()) + " has SHA-256 " + HexFormat.of().formatHex(sum) + ", stored "
                        + HexFormat.of().formatHex(e.getValue()));
            }
        }
        return from.sequence();
    }

    private static byte[] copy(Path from, Path to) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = new DigestOutputStream(Files.newOutputStream(to), sha)) {
            in.transferTo(out);
        }
        return sha.digest();
    }
}
