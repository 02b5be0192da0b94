package io.resh.exec;

import io.resh.core.Ballot;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Votes on one declared output file: each finished replica's private copy is reduced to its
 * SHA-256 (or "absent"), the digests are voted, and the winning copy can then be placed at the
 * file's path in the start directory. Large files are compared by digest, never loaded.
 */
final class OutputVote {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] ABSENT = new byte[0];

    private final Path file;
    private final Ballot ballot;
    private final String[] digests;
    private final List<ExecResult.Fault> faults = new ArrayList<>();
    private Path winner;
    private String disagreement;
    private boolean directory;

    private OutputVote(Path file, Quorum quorum) {
        this.file = file;
        this.ballot = new Ballot(quorum);
        this.digests = new String[quorum.replicas()];
    }

    /** Digests and votes {@code file} over the replicas that completed. */
    static OutputVote of(Path file, Quorum quorum, List<ReplicaRun> runs) {
        OutputVote vote = new OutputVote(file, quorum);
        vote.cast(runs);
        return vote;
    }

    private void cast(List<ReplicaRun> runs) {
        List<ReplicaRun> done = runs.stream().filter(ReplicaRun::completed).toList();
        for (ReplicaRun run : done) {
            directory |= Files.isDirectory(run.workDir().resolve(file), LinkOption.NOFOLLOW_LINKS);
            byte[] digest = digest(run.workDir().resolve(file));
            digests[run.index()] = digest == ABSENT ? null : HEX.formatHex(digest);
            ballot.cast(run.index(), digest, done.size());
        }
        String channel = "output:" + file;
        if (ballot.isDecided()) {
            byte[] decided = ballot.decided();
            for (int r : ballot.dissenters()) {
                faults.add(new ExecResult.Fault(r, core(runs, r), FaultKind.DIVERGENCE, channel, -1,
                        "replica " + r + " " + describe(digests[r]) + ", the majority " + describe(hexOrNull(decided))));
            }
            if (decided != ABSENT) {
                for (ReplicaRun run : done) {
                    if (HEX.formatHex(decided).equals(digests[run.index()])) {
                        winner = run.workDir().resolve(file);
                        break;
                    }
                }
            }
            return;
        }
        List<String> parts = new ArrayList<>();
        String first = null;
        int ref = -1;
        for (ReplicaRun run : done) {
            int r = run.index();
            parts.add("replica " + r + " " + describe(digests[r]));
            if (ref < 0) {
                ref = r;
                first = digests[r];
            } else if (!java.util.Objects.equals(first, digests[r])) {
                faults.add(new ExecResult.Fault(r, core(runs, r), FaultKind.DIVERGENCE, channel, -1,
                        "replica " + r + " " + describe(digests[r]) + ", replica " + ref + " " + describe(first)
                                + " (no majority)"));
            }
        }
        disagreement = "output " + file + " differs (" + String.join("; ", parts) + ")";
    }

    boolean agreed() {
        return ballot.isDecided();
    }

    /** The voted content's SHA-256, or null if undecided or the majority wrote no file. */
    String votedSha256() {
        return winner == null ? null : HEX.formatHex(ballot.decided());
    }

    List<ExecResult.Fault> faults() {
        return faults;
    }

    /** Why the vote failed, or null. */
    String disagreement() {
        return disagreement;
    }

    /** The replica's digest of this file (hex), or null if it wrote none. */
    String digestOf(int replica) {
        return digests[replica];
    }

    /**
     * Puts the voted copy at {@code startDir/file}, replacing what was there; where that is a symbolic link, at the
     * file the link names, and the link stays.
     *
     * @param keepSource copy rather than move (the work directories are kept)
     * @return true if a file was placed (false when the majority wrote none)
     */
    boolean place(Path startDir, boolean keepSource) throws IOException {
        if (winner == null) {
            return false;
        }
        Path target = throughLinks(startDir.resolve(file));
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        if (keepSource) {
            Files.copy(winner, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.move(winner, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return true;
    }

    String file() {
        return file.toString();
    }

    /** The winning replica's copy in its work directory, or null if undecided or the majority wrote no file. */
    Path votedCopy() {
        return winner;
    }

    /**
     * The file {@code path} names once its symbolic links are followed, as a command writing to it ({@code sort -o},
     * {@code > FILE}) would: the replicas started with a copy of what the link names, and moving their result onto
     * the path replaced the user's link with a plain file and left the file it named as it was. A link to nowhere
     * names the file to create.
     */
    static Path throughLinks(Path path) throws IOException {
        Path p = path;
        for (int hops = 0; hops < 40 && Files.isSymbolicLink(p); hops++) { // 40: the kernel's own limit (ELOOP)
            Path to = Files.readSymbolicLink(p);
            p = p.toAbsolutePath().getParent().resolve(to); // not normalized: ".." after a linked directory is the kernel's to resolve
        }
        if (Files.isSymbolicLink(p)) {
            throw new IOException(path + ": too many levels of symbolic links");
        }
        return p;
    }

    /** True if a replica left a directory at the file's path (directories are not voted). */
    boolean directory() {
        return directory;
    }

    private static int core(List<ReplicaRun> runs, int replica) {
        return runs.get(replica).core();
    }

    private static String hexOrNull(byte[] digest) {
        return digest == ABSENT ? null : HEX.formatHex(digest);
    }

    private String describe(String sha256) {
        return sha256 == null ? "wrote no " + file : "wrote " + file + " with SHA-256 " + sha256.substring(0, 12);
    }

    /** SHA-256 of a regular file (links are not followed: a replica can't vote with someone else's file). */
    private static byte[] digest(Path path) {
        if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return ABSENT;
        }
        MessageDigest sha = Digest.sha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            return ABSENT;
        }
        return sha.digest();
    }

    /** Per replica: file → digest (null when absent), for the report. */
    static Map<String, String> digestsOf(int replica, List<OutputVote> votes) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OutputVote vote : votes) {
            out.put(vote.file(), vote.digestOf(replica));
        }
        return out;
    }
}
