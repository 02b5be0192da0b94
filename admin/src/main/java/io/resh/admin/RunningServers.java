package io.resh.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin servers running from one resh home: one record file per server in {@code servers/} beside the endpoint
 * file ({@code ~/.resh/servers/PID-PORT.json}), so that several {@code resh serve} of one user coexist and the CLI
 * can tell how many run. The endpoint file itself ({@code admin.url}) names the newest server, for scripts that
 * read it; a server that stops hands it to another one still running, or deletes it when none is left.
 *
 * <p>A record whose process is gone (killed with SIGKILL, the machine restarted) is stale: {@link #live()}
 * deletes it, and the endpoint file if it named that server. The process start time is recorded with the pid so
 * that a pid reused by another program does not pass for the server.
 */
public final class RunningServers {
    private static final Logger LOG = LoggerFactory.getLogger(RunningServers.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SUFFIX = ".json";

    /**
     * One running admin server.
     *
     * @param url its base URL, as {@code resh serve} printed it
     * @param pid its process
     * @param name the groups and gateways it serves, comma-separated (empty if none)
     * @param started when it wrote its record, to order the servers
     */
    public record Server(String url, long pid, String name, Instant started) {
    }

    private final Path dir;
    private final Path endpointFile;

    /**
     * @param dir where the records are, {@code ~/.resh/servers} by default
     * @param endpointFile the single-URL file kept for scripts, {@code ~/.resh/admin.url} by default; null for none
     */
    public RunningServers(Path dir, Path endpointFile) {
        this.dir = dir;
        this.endpointFile = endpointFile;
    }

    /** The records of the servers {@code config} writes to (its endpoint file and {@code servers/} beside it). */
    public static RunningServers of(AdminConfig config) {
        Path endpoint = config.endpointFile().toAbsolutePath();
        return new RunningServers(endpoint.resolveSibling("servers"), endpoint);
    }

    /** Where the records are. */
    public Path dir() {
        return dir;
    }

    /**
     * Records a server of this process and makes it the endpoint file's URL.
     *
     * @return its record file, for {@link #remove}
     */
    Path add(String url, int port, String name) throws IOException {
        Files.createDirectories(dir);
        ProcessHandle self = ProcessHandle.current();
        ObjectNode n = JSON.createObjectNode().put("url", url).put("pid", self.pid()).put("name", name)
                .put("started", Instant.now().toString());
        self.info().startInstant().ifPresent(t -> n.put("processStarted", t.toEpochMilli()));
        // The port tells apart two servers of one process (an embedding application, tests); two live servers
        // cannot share one.
        Path record = dir.resolve(self.pid() + "-" + port + SUFFIX);
        writeAtomically(record, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
        if (endpointFile != null) {
            writeAtomically(endpointFile, url + "\n");
        }
        return record;
    }

    /**
     * Deletes this server's own record; if the endpoint file names it, names another server still running
     * there instead (the newest), or deletes it when none is left.
     */
    void remove(Path record, String url) {
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            LOG.debug("admin: cannot remove {}: {}", record, e.getMessage());
        }
        repointEndpoint(Set.of(url.trim()), live());
    }

    /**
     * What {@link #scan()} found.
     *
     * @param live the servers whose process still runs, oldest first
     * @param gone the servers whose record was left behind by a process that is gone, oldest first: deleted now
     */
    public record Scan(List<Server> live, List<Server> gone) {
    }

    /**
     * The servers whose process still runs, oldest first. Records of processes that are gone are deleted, and so
     * is the endpoint file if it named one of them (or it names the newest server left).
     */
    public List<Server> live() {
        return scan().live();
    }

    /**
     * As {@link #live()}, and also the servers whose records it deleted: a command that finds no server running
     * can say that one was, and stopped without removing its record (killed with SIGKILL, crashed).
     */
    public Scan scan() {
        List<Server> live = new ArrayList<>();
        List<Server> gone = new ArrayList<>();
        Set<String> dead = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                Optional<Record> r = read(f);
                if (r.isEmpty()) {
                    continue;
                }
                if (r.get().running()) {
                    live.add(r.get().server());
                } else {
                    gone.add(r.get().server());
                    dead.add(r.get().server().url().trim());
                    try {
                        Files.deleteIfExists(f);
                    } catch (IOException e) {
                        LOG.debug("admin: cannot remove the stale record {}: {}", f, e.getMessage());
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return new Scan(List.of(), List.of());
        } catch (IOException e) {
            LOG.debug("admin: cannot list {}: {}", dir, e.getMessage());
            return new Scan(List.of(), List.of());
        }
        live.sort(Comparator.comparing(Server::started).thenComparing(Server::url));
        gone.sort(Comparator.comparing(Server::started).thenComparing(Server::url));
        live.forEach(s -> dead.remove(s.url().trim())); // a port a dead server had may be a live one's now
        if (!dead.isEmpty()) {
            repointEndpoint(dead, live);
        }
        return new Scan(List.copyOf(live), List.copyOf(gone));
    }

    /** If the endpoint file names one of {@code gone}, it names the newest of {@code live} instead, or goes. */
    private void repointEndpoint(Set<String> gone, List<Server> live) {
        if (endpointFile == null) {
            return;
        }
        try {
            String named = Files.readString(endpointFile, StandardCharsets.UTF_8).trim();
            if (!gone.contains(named)) {
                return; // another server's, or written by hand
            }
            if (live.isEmpty()) {
                Files.deleteIfExists(endpointFile);
            } else {
                writeAtomically(endpointFile, live.get(live.size() - 1).url() + "\n");
            }
        } catch (NoSuchFileException e) {
            // nothing to repoint
        } catch (IOException e) {
            LOG.debug("admin: cannot update {}: {}", endpointFile, e.getMessage());
        }
    }

    private record Record(Server server, Long processStarted) {
        boolean running() {
            Optional<ProcessHandle> p = ProcessHandle.of(server.pid()).filter(ProcessHandle::isAlive);
            if (p.isEmpty()) {
                return false;
            }
            Optional<Instant> started = p.get().info().startInstant();
            return processStarted == null || started.isEmpty() || started.get().toEpochMilli() == processStarted;
        }
    }

    /** The record in {@code f}, or empty when it is no record (a half-written or foreign file): left alone. */
    private static Optional<Record> read(Path f) {
        try {
            JsonNode n = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
            if (n == null || !n.path("url").isTextual() || !n.path("pid").canConvertToLong()) {
                return Optional.empty();
            }
            Instant started = Instant.parse(n.path("started").asText(Instant.EPOCH.toString()));
            Long processStarted = n.hasNonNull("processStarted") ? n.get("processStarted").asLong() : null;
            return Optional.of(new Record(new Server(n.get("url").asText(), n.get("pid").asLong(),
                    n.path("name").asText(""), started), processStarted));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Written beside and moved into place, so that a reader never sees half a file. */
    private static void writeAtomically(Path target, String content) throws IOException {
        // Not named *.json: a reader listing the records skips it.
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
