package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.ConfigException;
import io.resh.core.FileErrors;
import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import io.resh.core.config.GroupConfig;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.protocol.Request;
import io.resh.host.Checkpoint;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import io.resh.host.net.ListenProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host of a resh cluster: a Ratis server whose state machine drives this host's local voted
 * replica group, and a front door that takes resh client requests and puts them through the Raft log.
 *
 * <pre>{@code
 * ClusterConfig cluster = ClusterConfig.parse(tree, null);
 * GroupConfig group = ConfigFile.parse(ClusterConfig.withoutCluster(tree));
 * try (ClusterNode node = ClusterNode.start(cluster, group, List.of())) {
 *     // clients connect to node.clientAddress() (any host; followers forward to the leader)
 * }
 * }</pre>
 *
 * <p>Every host executes every committed request on its own replicas; the leader's voted outcome goes
 * back to the client. A request that reaches a follower is forwarded once to the leader's front door
 * with the client's id and call number unchanged, so a retry through any host is deduplicated by the
 * leader's retry cache. Membership changes and leadership transfers go through a {@link RaftClient} each
 * ({@link ChangeAttempt}).
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterConfig config;
    private final RaftGroupId groupId;
    private final RaftPeerId selfId;
    private final ClusterStateMachine stateMachine;
    private final RaftServer server;
    private final RaftProperties properties;
    private final UUID frontDoorClient = UUID.randomUUID();
    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);
    /**
     * Why "not committed" is not "not executed": a leader that took the request and then lost its majority (its
     * followers paused, say) keeps it in its log, and it is committed once they are back. Ratis's reply does not
     * tell that apart from a request no leader took, so the client is not told to just retry.
     */
    private static final String MAY_STILL_COMMIT = "; it may still be committed later, so a retry may apply it twice"
            + " (only the Java ClusterClient's own retries apply it once)";
    private final LeaderLink leaderLink = new LeaderLink();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "resh-cluster-retry");
        t.setDaemon(true);
        return t;
    });
    /**
     * The leadership hand-over after a local fail-stop: it waits on Raft for up to a change timeout per step, which
     * on {@link #retries} would hold up the front door's request retries as long.
     */
    private final ExecutorService handOver = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "resh-cluster-hand-over");
        t.setDaemon(true);
        return t;
    });
    /**
     * Members that did not answer this host as the leader, as last logged; only the watch on {@link #retries}
     * touches it.
     */
    private Set<String> silentFollowers = Set.of();
    /** Since when this host has known no leader (nanoTime), or 0 while it knows one; only the watch touches it. */
    private long leaderlessSince;
    /** This host logged that it knows no leader, and has not yet logged one again; only the watch touches it. */
    private boolean leaderlessLogged;
    private final OtherClusterProbe otherClusters;
    private final AtomicLong frontDoorCalls = new AtomicLong();
    private final ClusterFrontDoor frontDoor;
    /** Set once the front door listens: a gateway may take client requests while the host still starts. */
    private volatile boolean serving;
    /** How long a host that Ratis stopped while still a member asks the others whether they still list it. */
    private static final Duration ASK_MEMBERS_TIMEOUT = Duration.ofSeconds(5);
    private volatile Runnable removedListener;
    private volatile boolean removed;
    private static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The longest a membership change or leadership transfer is tried, however long {@code cluster.requestTimeout}:
     * the admin API answers with its outcome, and {@code resh cluster} waits 30 s for that answer.
     */
    public static final Duration CHANGE_TIMEOUT_MAX = Duration.ofSeconds(20);
    /** The file Ratis locks in a group's storage directory while a server uses it. */
    private static final String RATIS_STORAGE_LOCK = "in_use.lock";
    /** Listen addresses that take a port on every address of this machine. */
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "*");

    /**
     * @param beforeStarting further refusals (ports the local group or the caller will listen on), after the
     *     host's own and before anything starts: a host already running holds those ports too, and its storage
     *     in use is the news then
     */
    /**
     * The largest request the local group takes, in bytes, and the setting it follows from: {@code setting} of
     * {@code settingValue} bytes, plus what the group adds to each request before it enters the log.
     */
    record RequestLimit(int bytes, String setting, int settingValue) {
    }

    private ClusterNode(ClusterConfig config, Function<ClusterNode, ClusterStateMachine> machine,
                        RequestLimit limit, boolean snapshots, boolean join, Runnable beforeStarting) throws IOException {
        int maxRequestBytes = limit.bytes();
        this.config = config;
        this.groupId = groupIdOf(config.name());
        this.selfId = RaftPeerId.valueOf(config.id());
        this.properties = properties(config, snapshots, maxRequestBytes);
        this.stateMachine = machine.apply(this);
        this.otherClusters = new OtherClusterProbe(properties, groupId, config.id(), config.name(),
                config.peers().stream().collect(Collectors.toMap(ClusterPeer::id, ClusterPeer::raftAddress)));
        stateMachine.onClosedByRaft(this::closedByRaft);
        RaftGroup initial = join ? RaftGroup.valueOf(groupId) : RaftGroup.valueOf(groupId, raftPeers(config.peers()));
        // Every refusal that the storage and the machine can decide comes before anything starts or is created: a
        // host refused only after its local group started had logged that start first, and left its storage behind.
        ClusterStorage storage = new ClusterStorage(config.storage());
        Path groupDir = storage.groupDir(groupId);
        boolean existing = Files.isDirectory(groupDir);
        refuseStorageInUse(config, groupDir);
        storage.refuseOtherGroups(config.id(), config.name(), groupId);
        storage.refuseOtherHost(config.id(), groupId);
        storage.recordedPeers(groupId, properties).ifPresent(peers -> refuseMovedAddresses(config, peers));
        refusePortInUse(config, config.self().address(), "Raft", "address");
        refusePortInUse(config, config.self().client(), "clients", "client");
        beforeStarting.run();
        createStorage(config);
        this.server = RaftServer.newBuilder().setServerId(selfId).setGroup(initial).setProperties(properties)
                .setStateMachine(stateMachine)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT).build();
        try {
            server.start();
        } catch (RuntimeException e) {
            // The local group starts inside Ratis's start (the state machine loads it): report its own error.
            stateMachine.closing();
            try {
                server.close();
            } catch (IOException | RuntimeException closing) {
                LOG.debug("closing the Ratis server after a failed start: {}", closing.toString());
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ReshException r) {
                    throw r;
                }
            }
            throw new ReshException("cannot start cluster host " + config.id() + ": " + e, e);
        }
        try {
            // Refused above from the storage already, before anything started: Ratis reads the configuration only
            // after its state machine started the local group. Again here for a storage that read could not decide
            // (a log it could not parse): the group has started by now, but its start is not logged until the host
            // is up (announceStart), so the log does not show a start before the refusal.
            refuseMovedAddresses(config, currentPeers());
        } catch (RuntimeException e) {
            stateMachine.closing();
            server.close();
            throw e;
        }
        storage.recordName(groupId, config.name());
        storage.recordHost(groupId, config.id());
        InetSocketAddress client = config.self().client();
        try {
            this.frontDoor = ClusterFrontDoor.start(this, client.getHostString(), client.getPort(), limit);
        } catch (RuntimeException e) {
            stateMachine.closing();
            server.close();
            retries.shutdownNow();
            handOver.shutdownNow();
            throw e;
        }
        serving = true;
        stateMachine.announceStart();
        // Ratis's own warnings about a follower it cannot reach are a stack trace every few seconds, quieted in
        // the shipped log config: say it here once when a member goes silent and once when it answers again.
        retries.scheduleWithFixedDelay(this::watchFollowers, 1, 1, TimeUnit.SECONDS);
        LOG.info("cluster host {} up: Raft on {}, clients on {}", config.id(), config.self().raftAddress(),
                config.self().clientAddress());
    }

    /**
     * A second host started on the storage of a running one would make Ratis retry its lock for seconds,
     * logging a stack trace per attempt, and then fail with its own exception's text: say it in one line.
     */
    private static void refuseStorageInUse(ClusterConfig config, Path groupDir) {
        Path lock = groupDir.resolve(RATIS_STORAGE_LOCK);
        if (!Files.exists(lock)) {
            return;
        }
        boolean inUse;
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock held = channel.tryLock();
            inUse = held == null;
            if (held != null) {
                held.release();
            }
        } catch (OverlappingFileLockException e) {
            inUse = true; // held by a host in this JVM
        } catch (IOException e) {
            return; // let Ratis report what it finds
        }
        if (inUse) {
            throw new ReshException("cannot start cluster host " + config.id() + ": its storage " + config.storage()
                    + " is in use by another running host (is host " + config.id() + " already running?)");
        }
    }

    /**
     * The members reach a host at the addresses it was added with, kept in the Raft configuration its storage
     * recovered, not at those in its {@code cluster.peers}: a host listening elsewhere heard no leader, served no
     * request, and its elections disturbed the others with ever higher terms.
     */
    private static void refuseMovedAddresses(ClusterConfig config, Collection<RaftPeer> members) {
        ClusterPeer self = config.self();
        for (RaftPeer p : members) {
            if (!p.getId().toString().equals(config.id())) {
                continue;
            }
            ClusterPeer known = peerOf(p);
            for (String field : List.of("address", "client")) {
                String configured = field.equals("address") ? self.raftAddress() : self.clientAddress();
                String recovered = field.equals("address") ? known.raftAddress() : known.clientAddress();
                if (!configured.equals(recovered)) {
                    throw new ReshException("cannot start cluster host " + config.id() + ": cluster.peers gives its "
                            + field + " as " + configured + ", but the cluster knows it at " + recovered + " (the Raft"
                            + " configuration in its storage " + config.storage() + "); put " + recovered + " back, or"
                            + " to move the host, remove it (resh cluster remove), empty its storage and add it again");
                }
            }
        }
    }

    /**
     * Ratis ends the whole JVM (exit status 1, with a stack trace) when its Raft port is taken, and a taken client
     * port failed the front door only once the local group had started: check both first, so the user gets one
     * line and nothing has started. A port taken between this check and the bind still fails there.
     *
     * @param field the field of {@code cluster.peers} that gives {@code address}
     */
    private static void refusePortInUse(ClusterConfig config, InetSocketAddress address, String what, String field) {
        IOException taken = whyNotListen(address.getHostString(), address.getPort());
        if (taken != null) {
            throw new ReshException("cannot start cluster host " + config.id() + ": cannot listen for " + what + " on "
                    + address.getHostString() + ":" + address.getPort() + ": " + taken.getMessage()
                    + " (cluster.peers: the " + field + " of " + config.id() + ")", taken);
        }
    }

    /**
     * The gateway listens as the local group starts, inside Ratis's start: a taken port failed only after the
     * storage was made and the servers had started. The port may be the config's or {@code --port}'s.
     */
    private static void refuseGatewayPortInUse(ClusterConfig config, GatewayConfig.Listen listen) {
        IOException taken = whyNotListen(listen.host(), listen.port());
        if (taken != null) {
            throw new ReshException("cannot start cluster host " + config.id() + ": the gateway cannot listen on "
                    + listen.host() + ":" + listen.port() + ": " + taken.getMessage() + "; another program has that"
                    + " port: give listen.port in the config or --port another one (0: any free port)", taken);
        }
    }

    /** Why {@code host:port} cannot be listened on now, or null if it can (port 0: any free port, always). */
    private static IOException whyNotListen(String host, int port) {
        return port == 0 ? null : ListenProbe.whyNot(host, port);
    }

    private static void createStorage(ClusterConfig config) {
        try {
            Files.createDirectories(config.storage());
        } catch (FileAlreadyExistsException e) {
            // Its message is only the path: "cannot start cluster host h1: /etc/passwd".
            throw new ConfigException("cluster.storage", config.storage() + " exists and is not a directory");
        } catch (IOException e) {
            // Its message is only the path too ("cannot start cluster host h1: /proc/nope"); the reason is in its class.
            String why = FileErrors.describe(e);
            String itself = config.storage() + ": "; // else a parent failed: name the configured directory too
            throw new ConfigException("cluster.storage", "cannot create "
                    + (why.startsWith(itself) ? why : config.storage() + " (" + why + ")"), e);
        }
    }

    private static ClusterNode ofReplicas(ClusterConfig config, GroupConfig group, List<Consumer<GroupEvent>> listeners,
                                          boolean join, Runnable beforeStarting) throws IOException {
        // The local group starts inside Ratis's start: its own checks (a misspelt service class) come first, or the
        // caller said that the host starts, then that it did not, with its storage made.
        return new ClusterNode(config, node -> new ClusterStateMachine(
                        cp -> new ReplicaLocalGroup(ReplicaGroup.start(group, withHost(listeners, node), cp)), CHECKPOINT_TIMEOUT),
                new RequestLimit(group.maxRequestBytes(), "limits.maxRequestBytes", group.maxRequestBytes()), true, join,
                () -> {
                    ReplicaGroup.checkStart(group);
                    beforeStarting.run();
                });
    }

    /**
     * Starts a host whose local group is N unmodified servers behind an ordered-mode gateway (see
     * docs/GATEWAY.md): clients speak the servers' protocol to the gateway's {@code listen} address, every
     * request goes through the Raft log, and every host's gateway executes it on its own servers in log
     * order. With {@code checkpoint:} a Raft snapshot is a checkpoint of the servers' files, taken every
     * {@code cluster.snapshotEvery} entries: a host restarts from its newest, a new or lagging host gets the leader's,
     * and the log before it is purged. Without, Raft takes no snapshots and its log is kept whole: a host that
     * restarts or joins replays it into fresh servers.
     *
     * @param join true for a host that is not yet a member and waits to be added
     */
    public static ClusterNode startGateway(ClusterConfig config, GatewayConfig gateway, List<Consumer<GroupEvent>> listeners,
                                           boolean join) {
        return startGateway(config, gateway, listeners, join, () -> { });
    }

    /**
     * As {@link #startGateway(ClusterConfig, GatewayConfig, List, boolean)}; {@code beforeStarting} refuses what the
     * caller will listen on, after the host's own checks and before anything starts.
     */
    static ClusterNode startGateway(ClusterConfig config, GatewayConfig gateway, List<Consumer<GroupEvent>> listeners,
                                    boolean join, Runnable beforeStarting) {
        if (gateway.listen().mode() != GatewayConfig.Mode.ORDERED) {
            throw new ConfigException("listen.mode", "a cluster can order only mode ordered (framed requests), not "
                    + gateway.listen().mode().label() + "; stream and UDP modes have no request boundaries to put in a log");
        }
        refuseListenOnAPeerAddress(config, gateway.listen());
        // A gateway started again from an installed snapshot listens where the first did, also for listen.port 0.
        AtomicInteger port = new AtomicInteger(gateway.listen().port());
        try {
            return new ClusterNode(config, node -> new ClusterStateMachine(CHECKPOINT_TIMEOUT, from -> {
                GatewayConfig c = port.get() == gateway.listen().port() ? gateway : gateway.withPort(port.get());
                Gateway g = Gateway.start(c, node::order, from);
                port.set(g.port());
                withHost(listeners, node).forEach(g::addListener);
                return new GatewayLocalGroup(g);
            }), new RequestLimit(gateway.maxFrameBytes() + GatewayEntry.MAX_OVERHEAD, "maxFrameBytes", gateway.maxFrameBytes()),
                    gateway.checkpoint() != null, join, () -> {
                Gateway.checkStart(gateway); // as for Java replicas: a server program that is not installed, first
                refuseGatewayPortInUse(config, gateway.listen());
                beforeStarting.run();
            });
        } catch (IOException e) {
            throw new ReshException("cannot start cluster host " + config.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The gateway listens after Raft and the front door are up, so a {@code listen:} on one of the cluster's own
     * addresses failed only then, with "Address already in use": refuse it before anything starts, naming both.
     */
    static void refuseListenOnAPeerAddress(ClusterConfig config, GatewayConfig.Listen listen) {
        refuseListenOnAPeerAddress(config, listen, "listen.port", null);
    }

    /**
     * As {@link #refuseListenOnAPeerAddress(ClusterConfig, GatewayConfig.Listen)}, for a port that came from
     * {@code portSetting} (e.g. {@code --port}) rather than the config file.
     *
     * @param peersFile the file {@code cluster.peers} is in, named when the port did not come from it; or null
     */
    static void refuseListenOnAPeerAddress(ClusterConfig config, GatewayConfig.Listen listen, String portSetting,
                                           String peersFile) {
        if (listen.port() == 0) {
            return; // any free port
        }
        List<ClusterPeer> peers = config.peers();
        for (int i = 0; i < peers.size(); i++) {
            ClusterPeer p = peers.get(i);
            boolean self = p.id().equals(config.id());
            for (String field : List.of("address", "client")) {
                InetSocketAddress a = field.equals("address") ? p.address() : p.client();
                // Another host's address is on this machine only if written the same; a wildcard takes every address here.
                boolean sameHost = a.getHostString().equals(listen.host())
                        || self && (WILDCARDS.contains(listen.host()) || WILDCARDS.contains(a.getHostString()));
                if (a.getPort() == listen.port() && sameHost) {
                    throw new ConfigException(portSetting, "the gateway's " + listen.host() + ":" + listen.port()
                            + " is also " + p.id() + "'s " + field + " (cluster.peers[" + i + "]." + field
                            + (peersFile == null ? "" : " in " + peersFile) + "); the gateway needs a port of its own");
                }
            }
        }
    }

    private static List<Consumer<GroupEvent>> withHost(List<Consumer<GroupEvent>> listeners, ClusterNode node) {
        List<Consumer<GroupEvent>> all = new ArrayList<>(listeners);
        all.add(node::localEvent);
        return all;
    }

    /**
     * A host whose group fail-stopped answers every request it applies with fail-stop; as leader it would
     * make the whole cluster useless although the other hosts are fine. It hands the leadership on.
     */
    private void localEvent(GroupEvent e) {
        if (e instanceof GroupEvent.FailStopped) {
            try {
                handOver.execute(this::handOverLeadership);
            } catch (RejectedExecutionException closing) {
                LOG.debug("host closing; no leadership hand-over");
            }
        }
    }

    private void handOverLeadership() {
        ClusterStatus s;
        try {
            s = status();
        } catch (RuntimeException e) {
            return;
        }
        try {
            // Raft prefers peers of higher priority: the others take over now, and this host does not win a
            // later election while any of them can.
            List<RaftPeer> lowered = currentPeers().stream().map(p -> RaftPeer.newBuilder(p)
                    .setPriority(p.getId().equals(selfId) ? 0 : Math.max(1, p.getPriority())).build()).toList();
            reconfigure(lowered, "lower the priority of " + config.id() + ", whose group fail-stopped", "");
        } catch (RuntimeException e) {
            LOG.warn("host {}: could not lower its leader priority: {}", config.id(), e.getMessage());
        }
        try {
            s = status();
        } catch (RuntimeException e) {
            return;
        }
        if (!s.leading()) {
            LOG.error("host {}: local group fail-stopped; this host must be replaced (remove it, wipe its storage, add it back)",
                    config.id());
            return;
        }
        for (ClusterPeer p : s.peers()) {
            if (p.id().equals(config.id())) {
                continue;
            }
            try {
                transferLeadership(p.id());
                LOG.error("host {}: local group fail-stopped; handed the leadership to {}; this host must be replaced",
                        config.id(), p.id());
                return;
            } catch (RuntimeException ex) {
                LOG.warn("host {}: could not hand the leadership to {}: {}", config.id(), p.id(), ex.getMessage());
            }
        }
    }

    /**
     * Asks the current leader to hand its role to {@code id} (Raft leadership transfer), e.g. before
     * maintenance of the leader's host. Blocks until done or failed, at most {@link #changeTimeout()}.
     *
     * @throws ReshException if {@code id} is not a member or the transfer fails, with why
     */
    public void transferLeadership(String id) {
        transferLeadership(id, changeTimeout());
    }

    private void transferLeadership(String id, Duration timeout) {
        Collection<RaftPeer> members = currentPeers();
        if (members.stream().noneMatch(p -> p.getId().toString().equals(id))) {
            throw new ReshException("peer " + id + " is not a member");
        }
        // How long the leader waits for the new one to take over; the whole transfer still ends by changeTimeout.
        long transferMillis = Math.min(config.electionMax().multipliedBy(4).toMillis(), timeout.toMillis());
        change(members, "leadership transfer to " + id, "done", "", timeout,
                admin -> admin.transferLeadership(RaftPeerId.valueOf(id), transferMillis));
    }

    /** A gateway client's request: through the Raft log, then the leader's voted reply (or why not). */
    private CompletableFuture<byte[]> order(Request request) {
        if (!serving) {
            return CompletableFuture.failedFuture(new ReshException("host " + config.id() + " is still starting; retry"));
        }
        return submit(null, 0, new GatewayEntry(request).encode(), false).thenCompose(r -> r.status() == ClientProtocol.STATUS_OK
                ? CompletableFuture.completedFuture(r.payload())
                : CompletableFuture.failedFuture(new ReshException(r.message())));
    }

    /**
     * Starts this host as a member of the configured peers: starts (or recovers, if {@code cluster.storage}
     * already holds its log) the Ratis server, the local replica group from the newest snapshot, and the
     * front door. Returns once the front door listens; the log replay after the snapshot goes on in the
     * background.
     */
    public static ClusterNode start(ClusterConfig config, GroupConfig group, List<Consumer<GroupEvent>> listeners) {
        return start(config, group, listeners, false, () -> { });
    }

    /**
     * {@link #start} or, with {@code join}, {@link #join}; {@code beforeStarting} refuses what the caller will
     * listen on, after the host's own checks and before anything starts.
     */
    static ClusterNode start(ClusterConfig config, GroupConfig group, List<Consumer<GroupEvent>> listeners, boolean join,
                             Runnable beforeStarting) {
        try {
            return ofReplicas(config, group, listeners, join, beforeStarting);
        } catch (IOException e) {
            throw new ReshException("cannot start " + (join ? "joining host " : "cluster host ") + config.id() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Starts a host that is not yet a member: it waits, with an empty configuration, until the leader
     * adds it ({@link #addPeer} on a member) and sends it a snapshot and the log.
     */
    public static ClusterNode join(ClusterConfig config, GroupConfig group, List<Consumer<GroupEvent>> listeners) {
        return start(config, group, listeners, true, () -> { });
    }

    static RaftGroupId groupIdOf(String name) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("resh-cluster:" + name).getBytes(StandardCharsets.UTF_8)));
    }

    static RaftProperties properties(ClusterConfig config, boolean snapshots, int maxRequestBytes) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(config.storage().toFile()));
        GrpcConfigKeys.Server.setHost(p, config.self().address().getHostString());
        GrpcConfigKeys.Server.setPort(p, config.self().address().getPort());
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(config.electionMin()));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(config.electionMax()));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, millis(config.electionMin()));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, millis(config.electionMax()));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(config.electionMax().multipliedBy(2)));
        // Ratis closes a server whose JVM was paused longer than this (60 s by default): a host SIGSTOPped, or in a
        // suspended VM, for a minute stopped for good. Raft's terms keep a paused host safe; let it come back.
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(1, TimeUnit.DAYS));
        // Without snapshots nothing may be purged: the whole log is the only way to rebuild a host's state.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, snapshots);
        // Not on stop: the local group may already be stopping (JVM shutdown) and the log is durable anyway.
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEvery());
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.min(Integer.MAX_VALUE, Math.max(1, config.snapshotEvery() / 2)));
        // Safe by default, and said here because durability rests on it: every entry is fsync'd before it counts.
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.logSegmentBytes()));
        // Ratis refuses an entry over the appender's buffer (4 MiB by default) only once the leader has taken it,
        // and each refusal cost an election: room for the largest request the front door accepts and its fields.
        long entryMax = Math.max(4L << 20, maxRequestBytes + (64L << 10));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, SizeInBytes.valueOf(entryMax));
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(
                Math.max(RaftServerConfigKeys.Log.writeBufferSize(p).getSize(), entryMax + 8))); // Ratis requires + 8
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(
                Math.max(GrpcConfigKeys.messageSizeMax(p, s -> { }).getSize(), entryMax + (1L << 20))));
        return p;
    }

    private static TimeDuration millis(Duration d) {
        return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    static List<RaftPeer> raftPeers(Collection<ClusterPeer> peers) {
        List<RaftPeer> out = new ArrayList<>();
        for (ClusterPeer p : peers) {
            // Ratis clients use a peer's client address for Ratis RPCs, so resh's front door can't go there.
            // resh uses no Ratis data streams: that field carries the front door, replicated with the configuration.
            out.add(RaftPeer.newBuilder().setId(p.id()).setAddress(p.raftAddress()).setDataStreamAddress(p.clientAddress())
                    .build());
        }
        return out;
    }

    static ClusterPeer peerOf(RaftPeer p) {
        String frontDoor = p.getDataStreamAddress();
        return new ClusterPeer(p.getId().toString(), parse(p.getAddress()),
                frontDoor == null || frontDoor.isEmpty() ? parse(p.getAddress()) : parse(frontDoor));
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /**
     * Puts one request through the Raft log and returns its outcome on the leader. {@code client} and
     * {@code call} identify the request across retries (Ratis's retry cache); null client = a one-off id.
     * A follower forwards the request to the leader's front door unless it was already forwarded. While
     * the request is surely not in the log (no leader yet, leader not ready, leader unreachable) it is
     * tried again until {@code requestTimeout}, so a plain client rides through an election.
     * Never completes exceptionally: a failure is a {@link ClusterReply} with a non-OK status.
     */
    CompletableFuture<ClusterReply> submit(UUID client, long call, byte[] request, boolean forwarded) {
        UUID cid = client == null ? frontDoorClient : client;
        long callId = client == null ? frontDoorCalls.incrementAndGet() : call;
        CompletableFuture<ClusterReply> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        AtomicReference<String> waitingOn = new AtomicReference<>();
        attempt(cid, callId, request, forwarded, deadline, result, waitingOn);
        // result itself is only ever completed normally, so the only exception here is the timeout
        return result.orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(timeout -> ClusterReply.error(ClientProtocol.STATUS_OUTCOME_UNKNOWN, "not committed within "
                        + config.requestTimeout().toMillis() + " ms " + whyNotCommitted(waitingOn.get()) + MAY_STILL_COMMIT));
    }

    /**
     * A request forwarded to a leader that then hung (paused, overloaded, cut off) waits for it even after the
     * others elected a new leader: its outcome is unknown, so it can't be sent again. Saying "no leader" then
     * sent the user looking at a cluster that had one.
     */
    private static String whyNotCommitted(String forwardedTo) {
        return forwardedTo == null ? "(no leader, or no majority of hosts)"
                : "(forwarded to the leader " + forwardedTo + ", which did not answer: paused, overloaded or cut off?)";
    }

    /** One try's outcome, and whether trying again is safe and useful. */
    private record Try(ClusterReply reply, boolean again) {
    }

    private void attempt(UUID cid, long callId, byte[] request, boolean forwarded, long deadline,
                         CompletableFuture<ClusterReply> result, AtomicReference<String> waitingOn) {
        once(cid, callId, request, forwarded, waitingOn).whenComplete((t, e) -> {
            Try done = e != null ? refused(e) : t;
            if (!done.again() || result.isDone()) {
                result.complete(done.reply());
                return;
            }
            if (System.nanoTime() + RETRY_PAUSE.toNanos() > deadline) {
                // Out of time: submit's timeout answers at the deadline, with the documented message. This try's
                // own answer is only why it may be tried again (Ratis's "NotLeaderException: Server h1@group-… is
                // not the leader"), and it reached most clients of a cluster without a leader, just before the timeout.
                return;
            }
            try {
                retries.schedule(() -> attempt(cid, callId, request, forwarded, deadline, result, waitingOn),
                        RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                result.complete(done.reply());
            }
        });
    }

    /** A try Ratis refused before taking the request (so it is surely not in the log). */
    private Try refused(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof ServerNotReadyException) {
            if (!member()) {
                // Ratis keeps a host outside the configuration starting: it would answer so until it is added.
                return new Try(ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, "host " + config.id()
                        + " is not a member of the cluster (not added yet, or removed), so it takes no requests;"
                        + " send them to a member, or add " + config.id() + " on a member (resh cluster add)"), false);
            }
            // A member's Raft server that is still starting, e.g. just added: it is ready within moments.
            return new Try(ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, "host " + config.id()
                    + " is still starting; retry"), true);
        }
        return new Try(ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, "host " + config.id() + ": " + e), false);
    }

    /** @param waitingOn set to the leader while a forward to it is outstanding, for the timeout's message */
    private CompletableFuture<Try> once(UUID cid, long callId, byte[] request, boolean forwarded,
                                        AtomicReference<String> waitingOn) {
        CompletableFuture<RaftClientReply> local;
        try {
            local = server.submitClientRequestAsync(request(ClientId.valueOf(cid), callId, selfId, request));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(new Try(ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE,
                    "host " + config.id() + " cannot take requests yet: " + e.getMessage()), true));
        }
        return local.thenCompose(reply -> {
            if (reply.isSuccess()) {
                return CompletableFuture.completedFuture(new Try(outcome(reply), false));
            }
            NotLeaderException nle = reply.getNotLeaderException();
            RaftPeer leader = nle == null ? null : nle.getSuggestedLeader();
            if (nle != null && forwarded) {
                // The forwarding host tries again with a fresh idea of the leader; never forward twice.
                return CompletableFuture.completedFuture(new Try(outcome(reply), false));
            }
            if (leader != null && !leader.getId().equals(selfId)) {
                InetSocketAddress door = frontDoorOf(leader);
                waitingOn.set(leader.getId() + " at " + door.getHostString() + ":" + door.getPort());
                return leaderLink.forward(door, new Envelope(cid, callId, request, true).encode()).thenApply(r -> {
                    waitingOn.set(null);
                    return new Try(r, ClientProtocol.retryableWithSameId(r.status()));
                });
            }
            boolean election = nle != null || reply.getLeaderNotReadyException() != null
                    || reply.getLeaderSteppingDownException() != null;
            return CompletableFuture.completedFuture(new Try(outcome(reply), election));
        });
    }

    private InetSocketAddress frontDoorOf(RaftPeer peer) {
        ClusterPeer p = peerOf(peer);
        return new InetSocketAddress(p.client().getHostString(), p.client().getPort());
    }

    private RaftClientRequest request(ClientId cid, long callId, RaftPeerId to, byte[] request) {
        return RaftClientRequest.newBuilder().setClientId(cid).setServerId(to).setGroupId(groupId).setCallId(callId)
                .setMessage(Message.valueOf(ByteString.copyFrom(request))).setType(RaftClientRequest.writeRequestType())
                .build();
    }

    private ClusterReply outcome(RaftClientReply reply) {
        if (reply.isSuccess()) {
            return ClusterReply.decode(reply.getMessage().getContent().toByteArray());
        }
        Exception e = reply.getException();
        String leader = reply.getNotLeaderException() != null && reply.getNotLeaderException().getSuggestedLeader() != null
                ? "; leader is " + reply.getNotLeaderException().getSuggestedLeader().getId() : "";
        return ClusterReply.error(ClientProtocol.STATUS_OUTCOME_UNKNOWN, "not committed: "
                + (e == null ? "unknown Raft error" : e.getClass().getSimpleName() + ": " + e.getMessage()) + leader
                + MAY_STILL_COMMIT);
    }

    /** Submits and waits: the voted reply bytes, or a {@link io.resh.client.ReshRemoteException}-like error. */
    public byte[] call(byte[] request, Duration timeout) {
        ClusterReply r;
        try {
            r = submit(null, 0, request, false).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ReshException("no reply from the cluster within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ReshException("cluster request failed: " + e.getCause());
        }
        if (r.status() != ClientProtocol.STATUS_OK) {
            throw new io.resh.client.ReshRemoteException(r.status(), r.message());
        }
        return r.payload();
    }

    /** This host's view: Raft role, leader, term and indices, and its local replica group. */
    public ClusterStatus status() {
        try {
            RaftServer.Division d = server.getDivision(groupId);
            DivisionInfo info = d.getInfo();
            RaftPeerId leader = info.getLeaderId();
            List<ClusterPeer> peers = d.getRaftConf().getCurrentPeers().stream().map(ClusterNode::peerOf).toList();
            LocalGroup local = stateMachine.group();
            GroupStatus gs = null;
            GatewayStatus gw = null;
            try {
                if (local instanceof ReplicaLocalGroup r) {
                    gs = r.group().status();
                } else if (local instanceof GatewayLocalGroup g) {
                    gw = g.gateway().status();
                }
            } catch (RuntimeException e) {
                LOG.debug("local group status unavailable: {}", e.toString());
            }
            return new ClusterStatus(config.id(), info.getCurrentRole().name(), leader == null ? "" : leader.toString(),
                    info.getCurrentTerm(), d.getRaftLog().getLastCommittedIndex(), info.getLastAppliedIndex(),
                    d.getRaftLog().getSnapshotIndex(), d.getRaftLog().getStartIndex(), stateMachine.appliedSequence(),
                    peers, gs, gw, local == null ? "" : local.settings());
        } catch (IOException e) {
            throw new UncheckedIOException("host " + config.id() + " has no Raft division for its group", e);
        }
    }

    /**
     * The local group's stable checkpoint at the last applied request, made now: hosts that applied the
     * same requests have equal digests. Call it while no requests are in flight to compare hosts.
     */
    public Checkpoint checkpointNow() {
        try {
            return stateMachine.stableCheckpointAt(stateMachine.appliedSequence());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a host to the cluster (Raft reconfiguration); the new host must be running ({@link #join}). */
    public void addPeer(ClusterPeer peer) {
        List<RaftPeer> now = new ArrayList<>(currentPeers());
        if (now.stream().anyMatch(p -> p.getId().toString().equals(peer.id()))) {
            throw new ReshException("peer " + peer.id() + " is already a member");
        }
        now.addAll(raftPeers(List.of(peer)));
        reconfigure(now, "add " + peer.id(), "; is " + peer.id() + " running (resh serve --join) and reachable at "
                + peer.raftAddress() + "?");
    }

    /**
     * True while this host is in the cluster's current Raft configuration. False for a host started with
     * {@link #join} until a member adds it, and for a removed host restarted on its storage: such a host
     * takes no requests.
     */
    public boolean member() {
        try {
            return currentPeers().stream().anyMatch(p -> p.getId().equals(selfId));
        } catch (RuntimeException e) {
            return false; // its group is gone from the server: what Ratis does to a removed member
        }
    }

    /**
     * Calls {@code listener} once when this host stops serving on Ratis's own decision, not through
     * {@link #close()}: Ratis shuts a host down when it learns it was removed from the cluster. Its local
     * group is already stopped then; {@link #close()} releases the rest.
     */
    public void onRemoved(Runnable listener) {
        removedListener = listener;
    }

    /**
     * After Ratis stopped this host ({@link #onRemoved}): true if it was removed from the cluster, false if it was
     * stopped while still a member (e.g. after a JVM pause longer than Ratis's close threshold).
     */
    public boolean removedFromCluster() {
        return removed;
    }

    private void closedByRaft() {
        if (!serving) {
            return; // a failed start: the constructor reports why
        }
        boolean member = member();
        Optional<MembersElsewhere.Seen> elsewhere = Optional.empty();
        if (member) {
            Collection<RaftPeer> peers;
            try {
                peers = currentPeers();
            } catch (RuntimeException e) {
                peers = raftPeers(config.peers()); // the listener below must run all the same
            }
            elsewhere = MembersElsewhere.ask(properties, groupId, peers, config.id(), ASK_MEMBERS_TIMEOUT);
        }
        boolean removedWhileAway = elsewhere.map(seen -> !seen.members().contains(config.id())).orElse(false);
        removed = !member || removedWhileAway;
        if (removedWhileAway) {
            // Its storage still names it, but the members told Ratis otherwise: a restart would end the same way.
            LOG.warn("cluster host {} was removed from the cluster while it was down: its storage still lists it, but {}"
                    + " lists the members as {}, so Ratis stopped it; to add it back, empty its storage {} and start it"
                    + " with --join, then add it on a member (resh cluster add)", config.id(), elsewhere.get().by(),
                    elsewhere.get().members(), config.storage());
        } else if (member) {
            LOG.error("cluster host {} was stopped by Ratis although it is still a member (its log above says why):"
                    + " its local group is stopped and it serves no more requests; restart it", config.id());
        } else {
            LOG.warn("cluster host {} was removed from the cluster: its local group is stopped and it serves no more"
                    + " requests", config.id());
        }
        Runnable listener = removedListener;
        if (listener != null) {
            listener.run();
        }
    }

    /** Removes a host from the cluster (Raft reconfiguration); it stops receiving the log. */
    public void removePeer(String id) {
        List<RaftPeer> now = new ArrayList<>(currentPeers());
        if (!now.removeIf(p -> p.getId().toString().equals(id))) {
            throw new ReshException("peer " + id + " is not a member; members: "
                    + now.stream().map(p -> p.getId().toString()).toList());
        }
        if (now.isEmpty()) {
            throw new ReshException("cannot remove " + id + ": it is the last member");
        }
        // The hand-over and the removal share one change timeout, so the caller still gets its answer in time.
        Duration handOver = changeTimeout().dividedBy(2);
        boolean tried = handOverBeforeRemoval(id, now, handOver);
        reconfigure(now, "remove " + id, "", tried ? changeTimeout().minus(handOver) : changeTimeout());
    }

    /**
     * A leader that commits its own removal closes itself inside Ratis while holding the server's lock, and waits
     * for the thread that takes client requests, which may be waiting for that lock: with clients busy it
     * deadlocked, never answering them and never stopping. So the leader to remove hands its role to one of the
     * remaining members first, and is removed as a follower. If no one takes over within {@code bound}, or the
     * cluster has no leader or majority to do it, it is removed as the leader.
     *
     * @return whether it tried, and so took up to {@code bound} of the removal's time
     */
    private boolean handOverBeforeRemoval(String id, List<RaftPeer> remaining, Duration bound) {
        String leader;
        try {
            leader = status().leader();
        } catch (RuntimeException e) {
            return false; // the removal itself says what stops it
        }
        if (!id.equals(leader) || !trouble().isEmpty()) {
            return false;
        }
        // Ratis hands over to the member it is asked for; it waits for that member to catch up and win an election.
        String to = remaining.get(0).getId().toString();
        try {
            transferLeadership(to, bound);
            LOG.info("host {} to be removed led the cluster: handed the leadership to {} first", id, to);
        } catch (RuntimeException e) {
            LOG.warn("host {} to be removed leads: could not hand the leadership to {}: {}", id, to, e.getMessage());
        }
        return true;
    }

    private Collection<RaftPeer> currentPeers() {
        try {
            return server.getDivision(groupId).getRaftConf().getCurrentPeers();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @param hint what the user may check when the change is not committed, or empty */
    private void reconfigure(List<RaftPeer> peers, String what, String hint) {
        reconfigure(peers, what, hint, changeTimeout());
    }

    private void reconfigure(List<RaftPeer> peers, String what, String hint, Duration timeout) {
        // Ask the members as they are and the ones to be: a host being added is known to no client yet.
        Map<RaftPeerId, RaftPeer> asked = new LinkedHashMap<>();
        currentPeers().forEach(p -> asked.put(p.getId(), p));
        peers.forEach(p -> asked.put(p.getId(), p));
        change(asked.values(), "membership change (" + what + ")", "committed", hint, timeout,
                admin -> admin.setConfiguration(peers));
        LOG.info("membership change ({}) committed: {}", what, peers.stream().map(p -> p.getId().toString()).toList());
    }

    /**
     * How long a membership change or leadership transfer is tried before it fails with the reason:
     * {@code cluster.requestTimeout}, as for a request, but at most {@link #CHANGE_TIMEOUT_MAX}.
     */
    public Duration changeTimeout() {
        return config.requestTimeout().compareTo(CHANGE_TIMEOUT_MAX) < 0 ? config.requestTimeout() : CHANGE_TIMEOUT_MAX;
    }

    /**
     * Makes one membership change or leadership transfer through {@code members}, tried for at most
     * {@link #changeTimeout()}; a failure says what this host sees that stops the cluster from committing it.
     *
     * @param done how the error says it did not happen in time ("committed", "done")
     * @param hint what the user may check when the cluster itself looks fine, or empty
     */
    private void change(Collection<RaftPeer> members, String what, String done, String hint, Duration timeout,
                        ChangeAttempt.Call call) {
        ChangeAttempt.Outcome o = ChangeAttempt.run(properties, RaftGroup.valueOf(groupId, List.copyOf(members)), selfId,
                timeout, call);
        if (o.done()) {
            return;
        }
        String trouble = trouble();
        // A removal shares the change timeout with the hand-over before it: the caller waited all of it.
        String failed = o.late() ? "not " + done + " within " + text(changeTimeout()) : "failed: " + reason(o.failure());
        throw new ReshException(what + " " + failed + (trouble.isEmpty() ? hint : ": " + trouble), o.failure());
    }

    /**
     * What this host sees that keeps the cluster from committing anything: no leader, or, as the leader, no
     * majority that answers it. Empty when it sees neither (a follower that knows its leader can't tell).
     */
    private String trouble() {
        try {
            RaftServer.Division d = server.getDivision(groupId);
            DivisionInfo info = d.getInfo();
            Set<String> ids = d.getRaftConf().getCurrentPeers().stream().map(p -> p.getId().toString())
                    .collect(Collectors.toSet());
            int members = ids.size();
            String majority = "a majority (" + (members / 2 + 1) + " of the " + members + " members)";
            if (info.isLeader()) {
                // A follower counts as gone once it has been silent longer than it would wait before calling an
                // election. Only members count: a host being added is a follower too, but has no vote yet.
                Set<String> silent = FollowerSilence.of(info.getRoleInfoProto(), ids, config.electionMax());
                if (members - silent.size() > members / 2) {
                    return "";
                }
                return "no majority: this host leads, but " + String.join(", ", silent) + " did not answer it for over "
                        + text(config.electionMax()) + ", and a change commits only once " + majority + " has it";
            }
            if (info.getLeaderId() == null && members == 0) {
                // A joining host starts with an empty configuration: "a majority (1 of the 0 members)" was its count.
                return "no leader: this host " + config.id() + " is " + info.getCurrentRole() + " in term "
                        + info.getCurrentTerm() + " and knows no members yet, as a host waiting to be added: it learns"
                        + " them and the leader once a member adds it (resh cluster add)";
            }
            if (info.getLeaderId() == null) {
                return "no leader: this host " + config.id() + " is " + info.getCurrentRole() + " in term "
                        + info.getCurrentTerm() + ", and electing a leader takes " + majority + " running and reachable";
            }
            return "";
        } catch (IOException | RuntimeException e) {
            return "this host cannot read its Raft state: " + e.getMessage();
        }
    }

    /**
     * Logs a member that stops answering this host as the leader, and that answers again; and, when this host
     * stops leading, that it no longer watches the members it logged as silent.
     */
    private void watchFollowers() {
        try {
            RaftServer.Division d = server.getDivision(groupId);
            DivisionInfo info = d.getInfo();
            if (!info.isLeader()) {
                probeWhenLeaderless(d, info);
                if (!silentFollowers.isEmpty()) { // else nothing resolves the warnings: the next leader starts afresh
                    LOG.info("host {} no longer leads (now {} in term {}) and stops watching {}, silent until now;"
                            + " the next leader warns again of any that stay silent", config.id(), info.getCurrentRole(),
                            info.getCurrentTerm(), String.join(", ", silentFollowers));
                }
                silentFollowers = Set.of();
                return;
            }
            Set<String> members = d.getRaftConf().getCurrentPeers().stream().map(p -> p.getId().toString())
                    .collect(Collectors.toSet());
            // As trouble() counts a follower gone.
            Set<String> silent = FollowerSilence.of(info.getRoleInfoProto(), members, config.electionMax());
            for (String id : silent) {
                if (!silentFollowers.contains(id)) {
                    LOG.warn("host {} does not answer the leader {} (silent for over {}); Raft keeps trying it, and the"
                            + " cluster commits while a majority answers", id, config.id(), text(config.electionMax()));
                }
            }
            for (String id : silentFollowers) {
                if (!silent.contains(id) && members.contains(id)) { // a removed host is no news
                    LOG.info("host {} answers the leader {} again", id, config.id());
                    otherClusters.answers(id);
                }
            }
            silentFollowers = silent;
            leaderlessSince = 0;
            leaderKnownAgain(info);
            if (!silent.isEmpty()) {
                otherClusters.check(d.getRaftConf().getCurrentPeers().stream()
                        .filter(p -> silent.contains(p.getId().toString())).toList());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot read the Raft state to watch the followers: {}", e.toString());
        }
    }

    /**
     * A host that has known no leader for longer than an election takes asks the other hosts whether they run this
     * cluster at all: one whose config names another cluster would otherwise keep it leaderless without a word.
     */
    private void probeWhenLeaderless(RaftServer.Division d, DivisionInfo info) {
        if (info.getLeaderId() != null) {
            leaderlessSince = 0;
            leaderKnownAgain(info);
            return;
        }
        long now = System.nanoTime();
        if (leaderlessSince == 0) {
            leaderlessSince = now;
            return;
        }
        if (now - leaderlessSince > config.electionMax().toNanos() * 2) {
            if (!leaderlessLogged) {
                // Without it, a host whose peers are down stayed a candidate for as long as they were, in silence:
                // only clients ("no leader") and `resh cluster status` said so.
                leaderlessLogged = true;
                String trouble = trouble();
                // A host waiting to be added refuses requests as a non-member, whether or not there is a leader.
                boolean waitingToBeAdded = d.getRaftConf().getCurrentPeers().isEmpty();
                LOG.warn("host {} has known no leader for over {}: {}{}",
                        config.id(), text(config.electionMax().multipliedBy(2)),
                        trouble.isEmpty() ? "this host is " + info.getCurrentRole() + " in term " + info.getCurrentTerm()
                                : trouble.replaceFirst("^no leader: ", ""),
                        waitingToBeAdded ? "" : "; requests wait or fail until one is elected");
            }
            // The configured peers too: a host still waiting to be added knows no members from Raft yet.
            Map<RaftPeerId, RaftPeer> peers = new LinkedHashMap<>();
            raftPeers(config.peers()).forEach(p -> peers.put(p.getId(), p));
            d.getRaftConf().getCurrentPeers().forEach(p -> peers.put(p.getId(), p));
            otherClusters.check(peers.values());
        }
    }

    /** After a line saying this host knew no leader: one saying which it knows now. */
    private void leaderKnownAgain(DivisionInfo info) {
        if (leaderlessLogged) {
            leaderlessLogged = false;
            otherClusters.forgetRefusals(); // a member that was not running may be now; if not, say so next time
            LOG.info("host {} now knows a leader: {} in term {}", config.id(),
                    info.isLeader() ? "itself" : info.getLeaderId(), info.getCurrentTerm());
        }
    }

    /** {@code 8 s}, {@code 800 ms}: short for a one-line error. */
    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** Why a reconfiguration failed, without the request dump Ratis puts in its exceptions' messages. */
    private static String reason(Throwable e) {
        LOG.debug("membership change failed", e);
        if (e instanceof RaftRetryFailureException r) {
            return "not committed after " + r.getAttemptCount() + " attempts";
        }
        if (e == null || e.getMessage() == null) {
            return "no reason given";
        }
        return e.getMessage().lines().findFirst().orElse("");
    }

    public ClusterConfig config() {
        return config;
    }

    /** Where the front door listens (this peer's {@code client} address). */
    public InetSocketAddress clientAddress() {
        return new InetSocketAddress(frontDoor.host(), frontDoor.port());
    }

    /**
     * The local replica group (replaced when this host installs a snapshot; null while it restarts, and
     * for a host of unmodified servers, see {@link #gateway()}).
     */
    public ReplicaGroup group() {
        return stateMachine.group() instanceof ReplicaLocalGroup r ? r.group() : null;
    }

    /**
     * Calls {@code listener} with the new local replica group each time this host restarts it from a
     * snapshot installed by the leader (a joining or far-behind host), e.g. to watch the new group.
     */
    public void onLocalGroupRestarted(Consumer<ReplicaGroup> listener) {
        stateMachine.onRestart(g -> {
            if (g instanceof ReplicaLocalGroup r) {
                listener.accept(r.group());
            }
        });
    }

    /**
     * Calls {@code listener} with the new local gateway each time this host restarts it from a snapshot installed by
     * the leader (a joining or far-behind host of a gateway cluster with {@code checkpoint:}), e.g. to watch the new
     * gateway; it listens on the same address as the old one.
     */
    public void onLocalGatewayRestarted(Consumer<Gateway> listener) {
        stateMachine.onRestart(g -> {
            if (g instanceof GatewayLocalGroup gw) {
                listener.accept(gw.gateway());
            }
        });
    }

    /** The local gateway of a host started with {@link #startGateway}, else null (also while it restarts). */
    public Gateway gateway() {
        return stateMachine.group() instanceof GatewayLocalGroup g ? g.gateway() : null;
    }

    @Override
    public void close() {
        stateMachine.closing();
        frontDoor.close();
        retries.shutdownNow();
        handOver.shutdownNow();
        otherClusters.close();
        leaderLink.close();
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            // Ratis can rethrow from close what one of its own threads hit while the log was closing under it
            // (a leader's event processor reading the closed log: IllegalStateException "... is expected to be
            // opened but it is CLOSED"). The host is stopping either way; close must not fail for it.
            LOG.warn("closing the Ratis server of {}: {}", config.id(), e.toString());
        }
    }
}
