package io.resh.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.resh.core.ConfigException;
import io.resh.core.config.ConfigPaths;
import io.resh.core.config.Sandbox;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.server.CommandLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The validated configuration of one gateway: which server to start N times, where to listen, how to
 * frame and vote, and the limits that bound memory. Load it with {@link #load(Path)}; every error is a
 * {@link ConfigException} naming the offending field, e.g.
 * {@code listen.mode: expected ordered, stream or udp, got 'foo'}.
 *
 * <pre>
 * group: redis
 * replicas: 3
 * server:
 *   command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no
 *   ready: tcp
 * listen: { port: 6380, protocol: resp, mode: ordered }
 * </pre>
 *
 * @param group name used in events and logs
 * @param replicas how many server processes (N); f = ⌊(N−1)/2⌋ faulty ones are masked
 * @param server how to start one replica
 * @param listen where clients connect and how their bytes are framed
 * @param deadline how long a replica may still owe a reply after f+1 others answered before it is hung
 * @param maxFrameBytes largest client request; larger ones get an error and the client is closed
 * @param maxReplyBytes largest server reply; a replica sending a larger one is faulty
 * @param maxClients most concurrent client connections (UDP: client addresses)
 * @param maxInFlight most requests awaiting their answer (and, times 8, most replies a lagging
 *     replica may owe); past either the gateway stops reading from clients (backpressure)
 * @param frameTimeout how long a client may take to complete a request it started (slowloris guard)
 * @param replayLogLimit most bytes of state-changing requests kept for recovery by replay
 * @param replayLogEntries most state-changing requests kept for recovery by replay
 * @param canonicalize rewrites applied to every reply before replies are compared (not to what the
 *     client receives)
 * @param recovery how a replacement replica gets the others' state
 * @param workDir directory for replica data and logs; null for a fresh temporary directory
 * @param checkpoint how the servers save their state, so that the replay log can be cut; null for none
 */
public record GatewayConfig(String group, int replicas, Server server, Listen listen, Duration deadline,
                            int maxFrameBytes, int maxReplyBytes, int maxClients, int maxInFlight,
                            Duration frameTimeout, long replayLogLimit, int replayLogEntries,
                            List<Canonicalization> canonicalize, Recovery recovery, Path workDir,
                            Checkpoint checkpoint) {

    /** How requests reach the replicas. */
    public enum Mode {
        /** Framed requests, one total order over one backend connection per replica. */
        ORDERED,
        /** Protocol-agnostic: per client connection, release the byte prefix f+1 replicas agree on. */
        STREAM,
        /** Each datagram to every replica, the voted reply datagram back. */
        UDP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** When a started replica counts as ready. */
    public enum Ready {
        /** When its port accepts a TCP connection. */
        TCP,
        /** When its UDP port is bound (for UDP servers). */
        UDP,
        /** Right after the process started (use for UDP servers). */
        NONE
    }

    /** How a replacement replica is brought in sync. */
    public enum Recovery {
        /** Replay the log of state-changing requests since the group started (stateful servers). */
        REPLAY,
        /** Start it empty: for stateless servers, or stream mode, where there is no request log. */
        RESTART
    }

    /** Wire protocols the gateway can frame. {@code raw} means no framing (stream and udp modes). */
    public static final List<String> PROTOCOLS = List.of("resp", "memcached", "line", "length", "http", "raw");

    /**
     * @param commands one argument template per replica (all equal unless the config listed one command
     *     per replica, for N-version diversity); {@code {port}}, {@code {replica}} and {@code {dir}} are
     *     substituted at each start
     * @param sandbox {@link Sandbox#BWRAP}: each server under bubblewrap, read-only root, private /tmp, its
     *     data directory the one writable place; unlike a replica of a Java service it keeps the network,
     *     which is how the gateway talks to it
     * @param pin replica {@code i} runs on the {@code i}-th (round robin) of the CPUs the gateway may run on
     *     (taskset), so a faulty core corrupts one replica, not all of them
     */
    public record Server(List<List<String>> commands, Ready ready, Duration readyTimeout, Sandbox sandbox, boolean pin) {
        public Server {
            commands = List.copyOf(commands.stream().map(List::copyOf).toList());
            Objects.requireNonNull(sandbox, "sandbox");
        }

        /** Plain processes, not pinned. */
        public Server(List<List<String>> commands, Ready ready, Duration readyTimeout) {
            this(commands, ready, readyTimeout, Sandbox.NONE, false);
        }

        public List<String> commandFor(int replica) {
            return commands.get(replica);
        }
    }

    /** @param port 0 picks a free port ({@link Gateway#port()} tells which) */
    public record Listen(String host, int port, String protocol, Mode mode) {
    }

    /**
     * Periodic checkpoints of the servers' own state (ordered mode with {@code recovery: replay}): every {@code every}
     * logged requests the gateway sends {@code digest} (if given) and then {@code save} to every replica in order,
     * copies {@code files} from the data directory of a replica whose replies agreed with f+1 others, and drops the
     * replay log up to there. A replacement starts from those files and replays only what came after.
     *
     * @param every logged (state-changing) requests between checkpoints
     * @param save a request, as one line of the listen protocol, that makes a server write its state into {@code files}
     * @param digest a request whose reply identifies the state (voted: replicas that differ are faulty), asked of every
     *     server started from a checkpoint until it gives the checkpoint's
     * @param files what {@code save} writes, relative to the server's data directory ({@code {dir}})
     */
    public record Checkpoint(int every, String save, String digest, List<String> files) {
        public Checkpoint {
            files = List.copyOf(files);
        }
    }

    /** Replaces every match of {@code regex} by {@code replace} (Java regex syntax, {@code $1} groups). */
    public record Canonicalization(Pattern regex, String replace) {
    }

    public GatewayConfig {
        canonicalize = List.copyOf(canonicalize);
    }

    /** The same config listening on another port (0 = any free one). */
    public GatewayConfig withPort(int port) {
        return new GatewayConfig(group, replicas, server, new Listen(listen.host(), port, listen.protocol(), listen.mode()),
                deadline, maxFrameBytes, maxReplyBytes, maxClients, maxInFlight, frameTimeout, replayLogLimit,
                replayLogEntries, canonicalize, recovery, workDir, checkpoint);
    }

    /** The same config keeping replica data and logs under {@code dir}. */
    public GatewayConfig withWorkDir(Path dir) {
        return new GatewayConfig(group, replicas, server, listen, deadline, maxFrameBytes, maxReplyBytes, maxClients,
                maxInFlight, frameTimeout, replayLogLimit, replayLogEntries, canonicalize, recovery, dir, checkpoint);
    }

    /**
     * Reads and validates a YAML file; a relative {@code workDir} is resolved against the file's directory.
     *
     * @throws ConfigException naming the file and the field, as a service config's errors do:
     *     {@code redis.yaml: listen.mode: expected ordered, stream or udp, got 'fast'}
     */
    public static GatewayConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw ConfigException.unreadable(file, e);
        }
        Path base = file.toAbsolutePath().getParent();
        try {
            return parse(text, file.toString(), base);
        } catch (ConfigException e) {
            throw e.inFile(file);
        }
    }

    /** Parses and validates YAML text; {@code origin} names it in errors, a relative {@code workDir} is resolved against the current directory. */
    public static GatewayConfig parse(String yaml, String origin) {
        return parse(yaml, origin, Path.of("").toAbsolutePath());
    }

    /**
     * True if a config's YAML tree describes a gateway (it has a top-level {@code server:} section), as opposed to
     * a replicated Java service. Given the tree, not the file: a config from a pipe can be read only once.
     */
    public static boolean isGatewayConfig(JsonNode root) {
        return root != null && root.isObject() && root.has("server");
    }

    /** A key given twice is an error, not a silent "the last one wins" (like an unknown field). */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static GatewayConfig parse(String yaml, String origin, Path base) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            // SnakeYAML's message quotes the offending line under a caret on further lines: the first says it.
            throw new ConfigException(origin, "not valid YAML" + where + ": " + e.getOriginalMessage().lines().findFirst()
                    .orElse("").strip());
        }
        return parse(root, origin, base);
    }

    /**
     * Validates an already parsed YAML tree (e.g. a cluster host's config without its {@code cluster:}
     * section); {@code origin} names it in errors, a relative {@code workDir} is resolved against {@code base}.
     */
    public static GatewayConfig parse(JsonNode root, String origin, Path base) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(origin, "is empty; expected at least server.command and listen.protocol");
        }
        // A server: section is what makes resh read a config as a gateway's: a service config's fields next to it
        // mean the two kinds were mixed, which the first gateway field the service config lacks would not say.
        for (String serviceField : List.of("service", "versions")) {
            if (root.has("server") && root.has(serviceField)) {
                throw new ConfigException(serviceField, "a config has either " + serviceField
                        + ": (a replicated Java service) or server: (unmodified servers behind the gateway), not both");
            }
        }
        ConfigReader r = new ConfigReader(root, "").fields("group", "replicas", "listen", "server", "deadline",
                "maxFrameBytes", "maxReplyBytes", "maxClients", "maxInFlight", "frameTimeout", "replayLogLimit",
                "replayLogEntries", "canonicalize", "recovery", "checkpoint", "workDir");
        String group = r.string("group", "gateway");
        // As a replica group's name: it names temporary directories and processes, so not "..", nor "-x" (an option).
        if (!group.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
            throw new ConfigException("group", "expected a name of letters, digits, '.', '_' or '-' (at most 64) that"
                    + " starts with a letter or digit, got '" + group + "'");
        }
        int replicas = r.integer("replicas", 3, 1, 31);
        Listen listen = listen(r.section("listen"));
        Server server = server(r.section("server"), replicas, listen.mode());
        Duration deadline = r.duration("deadline", Duration.ofSeconds(2), Duration.ofMillis(10));
        int maxFrameBytes = (int) r.bytes("maxFrameBytes", 1L << 20, 64, Integer.MAX_VALUE - 1024);
        int maxReplyBytes = (int) r.bytes("maxReplyBytes", 64L << 20, 64, Integer.MAX_VALUE - 1024);
        int maxClients = r.integer("maxClients", 1024, 1, 1_000_000);
        int maxInFlight = r.integer("maxInFlight", 1024, 1, 1_000_000);
        Duration frameTimeout = r.duration("frameTimeout", Duration.ofSeconds(10), Duration.ofMillis(10));
        long replayLogLimit = r.bytes("replayLogLimit", 256L << 20, 0, Long.MAX_VALUE);
        int replayLogEntries = r.integer("replayLogEntries", 1_000_000, 0, Integer.MAX_VALUE);
        List<Canonicalization> canon = new ArrayList<>();
        for (ConfigReader c : r.sections("canonicalize")) {
            c.fields("regex", "replace");
            String regex = c.requiredString("regex");
            Pattern p;
            try {
                p = Pattern.compile(regex);
            } catch (PatternSyntaxException e) {
                throw new ConfigException(c.field("regex"), "invalid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
            String replace = c.string("replace", "");
            try {
                p.matcher("").replaceAll(replace);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new ConfigException(c.field("replace"), "invalid replacement: " + e.getMessage());
            }
            canon.add(new Canonicalization(p, replace));
        }
        Recovery recovery = Recovery.valueOf(r.choice("recovery", listen.mode() == Mode.STREAM ? "restart" : "replay",
                List.of("replay", "restart")).toUpperCase(Locale.ROOT));
        if (recovery == Recovery.REPLAY && listen.mode() == Mode.STREAM) {
            throw new ConfigException("recovery", "stream mode keeps no request log, so it can only restart replicas empty; use recovery: restart");
        }
        if (recovery == Recovery.REPLAY && (replayLogEntries == 0 || replayLogLimit == 0)) {
            // Accepted, 0 overflowed the log at the first state change: every failed replica was removed for good.
            throw new ConfigException(replayLogEntries == 0 ? "replayLogEntries" : "replayLogLimit", "0 leaves no room"
                    + " for a single request, so no failed replica could ever be rebuilt; size it for the traffic"
                    + " between restarts, or set recovery: restart for a server that keeps no state");
        }
        Checkpoint checkpoint = r.has("checkpoint") ? checkpoint(r.section("checkpoint"), listen, recovery, replayLogEntries) : null;
        String workDirText = r.string("workDir", null);
        if (workDirText != null) {
            ConfigPaths.refuseTilde("workDir", workDirText, "the config file's directory");
        }
        Path workDir = workDirText == null || workDirText.isBlank() ? null : base.resolve(workDirText).normalize();
        if (!canon.isEmpty() && listen.mode() == Mode.STREAM) {
            throw new ConfigException("canonicalize", "is not supported in stream mode (bytes are released as they agree); use ordered mode");
        }
        return new GatewayConfig(group, replicas, server, listen, deadline, maxFrameBytes, maxReplyBytes, maxClients,
                maxInFlight, frameTimeout, replayLogLimit, replayLogEntries, canon, recovery, workDir, checkpoint);
    }

    private static Checkpoint checkpoint(ConfigReader c, Listen listen, Recovery recovery, int replayLogEntries) {
        c.fields("every", "save", "digest", "files");
        if (listen.mode() != Mode.ORDERED) {
            throw new ConfigException("checkpoint", "needs mode: ordered (the checkpoint's requests are ordered among the clients')");
        }
        if (recovery != Recovery.REPLAY) {
            throw new ConfigException("checkpoint", "cuts the replay log, so it needs recovery: replay");
        }
        int every = c.integer("every", 0, 1, Integer.MAX_VALUE);
        if (every == 0) {
            throw new ConfigException(c.field("every"), "is required: how many state-changing requests between checkpoints, e.g. 100000");
        }
        if (every > replayLogEntries / 2) {
            // The writes that arrive while a checkpoint is saved and copied are logged on top of the ones before it.
            throw new ConfigException(c.field("every"), "is " + every + ", but the replay log holds at most replayLogEntries ("
                    + replayLogEntries + ") requests and must keep room for those that arrive while a checkpoint is taken;"
                    + " choose at most half of it");
        }
        String save = c.requiredString("save").strip();
        String digest = c.string("digest", null);
        if (digest == null || digest.isBlank()) {
            // Without it nothing tells a server that loaded the saved state from one that did not, or is still loading.
            throw new ConfigException(c.field("digest"), "is required: a request whose reply identifies the state (Redis:"
                    + " DEBUG DIGEST), voted at each checkpoint and asked of every server started from one");
        }
        digest = digest.strip();
        Protocol protocol = Protocol.named(listen.protocol());
        for (String field : List.of("save", "digest")) {
            String line = field.equals("save") ? save : digest;
            try {
                CheckpointRequests.decode(protocol, line);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(c.field(field), e.getMessage());
            }
        }
        List<String> files = c.stringOrList("files");
        if (files.isEmpty()) {
            throw new ConfigException(c.field("files"), "is required: what the save request writes into {dir}, e.g. dump.rdb");
        }
        for (int i = 0; i < files.size(); i++) {
            Path f = Path.of(files.get(i)).normalize();
            if (files.get(i).isBlank() || f.isAbsolute() || f.startsWith("..") || f.toString().isEmpty()) {
                throw new ConfigException(c.field("files") + (files.size() == 1 ? "" : "[" + i + "]"), "expected a path inside the"
                        + " server's data directory ({dir}), like dump.rdb, got '" + files.get(i) + "'");
            }
        }
        return new Checkpoint(every, save, digest, files);
    }

    private static Server server(ConfigReader s, int replicas, Mode mode) {
        s.fields("command", "ready", "readyTimeout", "sandbox", "pin");
        List<String> lines = s.stringOrList("command");
        if (lines.isEmpty()) {
            throw new ConfigException(s.field("command"), "is required, e.g. redis-server --port {port}");
        }
        if (lines.size() != 1 && lines.size() != replicas) {
            throw new ConfigException(s.field("command"), "expected one command, or one per replica (" + replicas
                    + "), got " + lines.size());
        }
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String f = lines.size() == 1 ? s.field("command") : s.field("command") + "[" + i + "]";
            List<String> args;
            try {
                args = CommandLine.split(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(f, e.getMessage());
            }
            if (args.isEmpty()) {
                throw new ConfigException(f, "is empty");
            }
            if (args.stream().noneMatch(a -> a.contains("{port}"))) {
                throw new ConfigException(f, "must contain {port}: each replica listens on its own port, chosen at start");
            }
            commands.add(args);
        }
        while (commands.size() < replicas) {
            commands.add(commands.get(0));
        }
        String ready = s.choice("ready", mode == Mode.UDP ? "udp" : "tcp", List.of("tcp", "udp", "none"));
        Duration readyTimeout = s.duration("readyTimeout", Duration.ofSeconds(10), Duration.ofMillis(10));
        Sandbox sandbox = Sandbox.valueOf(s.choice("sandbox", "none", List.of("none", "bwrap")).toUpperCase(Locale.ROOT));
        boolean pin = s.flag("pin", false);
        return new Server(commands, Ready.valueOf(ready.toUpperCase(Locale.ROOT)), readyTimeout, sandbox, pin);
    }

    private static Listen listen(ConfigReader l) {
        l.fields("host", "port", "mode", "protocol");
        String host = l.string("host", "127.0.0.1");
        int port = l.integer("port", 0, 0, 65535);
        Mode mode = Mode.valueOf(l.choice("mode", "ordered", List.of("ordered", "stream", "udp")).toUpperCase(Locale.ROOT));
        String protocol = l.choice("protocol", mode == Mode.ORDERED ? null : "raw", PROTOCOLS);
        if (mode == Mode.ORDERED && (protocol == null || protocol.equals("raw"))) {
            throw new ConfigException(l.field("protocol"), "ordered mode frames requests, so it needs one of resp, memcached, line, length or http"
                    + (protocol == null ? "" : ", got 'raw' (use mode: stream for unframed bytes)"));
        }
        if (mode != Mode.ORDERED && !protocol.equals("raw")) {
            throw new ConfigException(l.field("protocol"), mode.label() + " mode does not frame requests, so it takes raw (or no protocol), got '"
                    + protocol + "'; use mode: ordered for " + protocol);
        }
        return new Listen(host, port, protocol, mode);
    }
}
