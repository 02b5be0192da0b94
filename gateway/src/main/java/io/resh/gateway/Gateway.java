package io.resh.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.resh.core.ConfigException;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.FileErrors;
import io.resh.core.GroupEvent;
import io.resh.core.Quorum;
import io.resh.core.ReshException;
import io.resh.gateway.GatewayConfig.Mode;
import io.resh.gateway.ordered.Canonicalizer;
import io.resh.gateway.ordered.GroupCallbacks;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.ordered.ReplayLog;
import io.resh.gateway.ordered.StallFreeClock;
import io.resh.gateway.ordered.OrderedInitializer;
import io.resh.gateway.ordered.TcpBackends;
import io.resh.gateway.protocol.DatagramProtocol;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import io.resh.gateway.server.CheckpointStore;
import io.resh.gateway.server.Directories;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerPrograms;
import io.resh.gateway.stream.StreamBackends;
import io.resh.gateway.stream.StreamSession;
import io.resh.gateway.udp.Datagrams;
import io.resh.gateway.udp.UdpBackends;
import io.resh.gateway.udp.UdpFrontend;
import io.resh.workdir.WorkDirOwner;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: N replicas of an unmodified server behind one voting front end.
 *
 * <pre>{@code
 * try (Gateway g = Gateway.start(GatewayConfig.load(Path.of("examples/redis.yaml")))) {
 *     g.addListener(e -> System.out.println(e));
 *     System.out.println("listening on " + g.port());
 *     g.awaitClosed();
 * }
 * }</pre>
 *
 * <p>All network I/O, voting and fault handling of one gateway run on one event-loop thread;
 * starting and killing processes run on a small worker pool. Listeners are called on the event loop
 * and must not block. {@link #status()} and {@link #close()} may be called from any thread.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);
    /** How many replayed requests a recovering TCP replica may owe at once (its socket buffers hold the rest). */
    private static final int TCP_REPLAY_WINDOW = 4096;
    /** UDP has no flow control: replay in small windows so the server's receive buffer never overflows. */
    private static final int UDP_REPLAY_WINDOW = 16;
    /** How often {@link #checkpointNow} looks whether a checkpoint being taken is done. */
    private static final long CHECKPOINT_RETRY_MILLIS = 5;
    /** The work directory's subdirectory of stored checkpoints. */
    private static final String CHECKPOINTS = "checkpoints";

    private final GatewayConfig config;
    private final Sequencer sequencer;
    private final Path workDir;
    private final boolean ownsWorkDir;
    /**
     * Locks the temporary work directory while it is to be deleted at close, so that it is known for a leftover once
     * this process is gone (killed with SIGKILL); null for a configured one, or when the lock could not be had.
     */
    private final WorkDirOwner owner;
    private final EventLoopGroup loopGroup;
    private final EventLoop loop;
    private final EventDispatcher events = new EventDispatcher();
    /**
     * Faults and fail-stops seen, failed server starts apart: a temporary work directory is kept for a post-mortem
     * when any happened.
     */
    private final AtomicInteger troubles = new AtomicInteger();
    /** Counted apart from {@link #troubles}: each server is tried again, so "4 faults seen" for 3 servers misled. */
    private final AtomicInteger failedStarts = new AtomicInteger();
    private volatile String lastFailedStart;
    private final AtomicInteger clients = new AtomicInteger();
    private final CountDownLatch closedLatch = new CountDownLatch(1);
    private volatile ServerGroup group; // volatile: closed by the exit hook while start() still waits for it
    private OrderedMultiplexer mux;
    /** Where checkpoints of the servers' saved state are kept, or null without {@code checkpoint:}. */
    private CheckpointStore checkpoints;
    private StreamBackends streams;
    private UdpFrontend udpFrontend;
    private volatile Channel listener;
    private volatile boolean closed;
    /** The checkpoint the servers start from (a cluster host's Raft snapshot), or null to start them empty. */
    private final CheckpointStore.Stored initial;
    /** Checkpoints asked for by {@link #checkpointNow}, by their request number, until stored or not taken. */
    private final Map<Long, CompletableFuture<CheckpointStore.Stored>> asked = new ConcurrentHashMap<>();

    private Gateway(GatewayConfig config, Sequencer sequencer, Path workDir, boolean ownsWorkDir, WorkDirOwner owner,
                    CheckpointStore.Stored initial) {
        this.config = config;
        this.initial = initial;
        this.sequencer = sequencer;
        this.workDir = workDir;
        this.ownsWorkDir = ownsWorkDir;
        this.owner = owner;
        this.loopGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("resh-gateway-" + config.group(), true),
                NioIoHandler.newFactory());
        this.loop = loopGroup.next();
        events.add(e -> {
            if (e instanceof GroupEvent.FaultDetected f && f.kind() == FaultKind.START_FAILURE) {
                String replica = "replica " + f.replica();
                lastFailedStart = f.evidence().startsWith(replica + " ") ? f.evidence() : replica + ": " + f.evidence();
                failedStarts.incrementAndGet();
            } else if (e instanceof GroupEvent.FaultDetected || e instanceof GroupEvent.FailStopped) {
                troubles.incrementAndGet();
            }
        });
    }

    /**
     * Starts every replica, waits until all of them are ready and in sync, then listens.
     *
     * @throws ConfigException naming {@code workDir} if the configured work directory cannot be created, or the
     *     {@code server} setting whose program is not installed, or {@code listen.host} if it does not resolve
     * @throws ReshException if a replica cannot start (the message names it, says how it exited and
     *     shows the end of its log) or the listening address cannot be bound
     */
    public static Gateway start(GatewayConfig config) {
        return start(config, null, () -> { }, null);
    }

    /**
     * Starts a gateway whose client requests are ordered by {@code sequencer} (e.g. a cluster's Raft
     * log) instead of by the gateway itself; the ordered requests come back through {@link #execute}.
     * Only the ordered TCP mode can be sequenced: stream and UDP modes have no request boundaries to order.
     *
     * @param sequencer the external order, or null for a stand-alone gateway
     * @throws ReshException as {@link #start(GatewayConfig)}, or if the mode cannot be sequenced
     */
    public static Gateway start(GatewayConfig config, Sequencer sequencer) {
        return start(config, sequencer, () -> { }, null);
    }

    /**
     * As {@link #start(GatewayConfig, Sequencer)}, starting the servers from checkpoint {@code from} (the state they
     * saved at request {@code from.sequence()}, e.g. a cluster host's Raft snapshot) instead of empty: its files are
     * checked against their SHA-256 and taken into the work directory's checkpoints, each server starts from them and
     * must answer the checkpoint's digest before it joins, and requests are numbered on from {@code from.sequence() + 1}.
     *
     * @param from the checkpoint, or null to start the servers empty
     * @throws ReshException as {@link #start(GatewayConfig)}, or if the config has no {@code checkpoint:} or a file of
     *     the checkpoint is missing or changed
     */
    public static Gateway start(GatewayConfig config, Sequencer sequencer, CheckpointStore.Stored from) {
        return start(config, sequencer, () -> { }, from);
    }

    /**
     * As {@link #start(GatewayConfig)}, calling {@code starting} once the config passed every check made before a
     * server runs (the listen host, the server programs, the work directory), just before the first server starts:
     * where a caller says that the gateway starts, which said before those checks was followed by their error.
     */
    public static Gateway start(GatewayConfig config, Runnable starting) {
        return start(config, null, starting, null);
    }

    /**
     * The checks {@link #start} makes before a server runs, bar the work directory, which they create: the listen
     * host, the server programs. For a caller that starts the gateway later, inside something else's start (a
     * cluster host's Raft server loads it), and must refuse such a config before it says that it starts.
     *
     * @throws ConfigException naming {@code listen.host} or the {@code server} setting, as {@link #start} does
     */
    public static void checkStart(GatewayConfig config) {
        if (new InetSocketAddress(config.listen().host(), 0).isUnresolved()) {
            // Found at the bind, after the servers started, it said "cannot listen on no-such-host:0: null".
            throw ConfigException.expected("listen.host", "an address of this machine, like 127.0.0.1 or 0.0.0.0 (every"
                    + " interface)", "'" + config.listen().host() + "', which does not resolve");
        }
        ServerPrograms.requireInstalled(config.server());
    }

    private static Gateway start(GatewayConfig config, Sequencer sequencer, Runnable starting,
                                 CheckpointStore.Stored from) {
        if (sequencer != null && config.listen().mode() != Mode.ORDERED) {
            throw new ReshException("group " + config.group() + ": only listen.mode ordered can be ordered by a cluster, not "
                    + config.listen().mode().label());
        }
        checkStart(config); // before the work directory: nothing to keep for a typo
        Path dir;
        boolean owns = config.workDir() == null;
        try {
            dir = owns ? Files.createTempDirectory("resh-gateway-" + config.group()) : Files.createDirectories(config.workDir());
        } catch (IOException e) {
            if (owns) {
                throw new ReshException("cannot create the work directory: " + FileErrors.describe(e), e);
            }
            // The user's field, so the user's to fix: said as a config error, which gets the file named too.
            throw ConfigException.cannotCreateWorkDir("workDir", config.workDir(), e);
        }
        // Ctrl-C or SIGTERM while the servers start (they may take seconds to accept), or while leftovers are swept:
        // without this, the JVM ended with the temporary work directory left behind and nothing said. Registered as
        // soon as the directory exists; once started, the caller closes the gateway.
        AtomicReference<Gateway> made = new AtomicReference<>();
        Thread closeOnExit = new Thread(() -> {
            Gateway started = made.get();
            if (started != null) {
                started.close();
            } else if (owns) {
                deleteQuietly(dir);
            }
        }, "resh-gateway-starting-" + config.group());
        try {
            Runtime.getRuntime().addShutdownHook(closeOnExit);
        } catch (IllegalStateException shuttingDown) {
            if (owns) {
                deleteQuietly(dir);
            }
            throw new ReshException("gateway " + config.group() + " not started: this process is stopping");
        }
        WorkDirOwner owner = owns ? claim(config, dir) : null;
        Gateway g;
        try {
            g = new Gateway(config, sequencer, dir, owns, owner, from);
        } catch (RuntimeException e) {
            removeHook(closeOnExit);
            if (owns) {
                deleteQuietly(dir); // still empty: nothing was started
            }
            if (owner != null) {
                owner.release();
            }
            throw e;
        }
        made.set(g);
        try {
            starting.run();
            g.startReplicas();
            g.listen();
            g.startTicker();
            LOG.debug("{}", g); // the caller says it (resh serve prints it on stdout; at info it came twice)
            return g;
        } catch (RuntimeException e) {
            g.close();
            throw e;
        } finally {
            removeHook(closeOnExit);
        }
    }

    private static void removeHook(Thread closeOnExit) {
        try {
            Runtime.getRuntime().removeShutdownHook(closeOnExit);
        } catch (IllegalStateException e) {
            // The JVM is exiting: the hook closes the gateway, or deletes the directory of one not made yet.
        }
    }

    /**
     * Locks the gateway's temporary work directory {@code dir} for this process, as a replica group does its own, and
     * removes those beside it that groups and gateways killed with SIGKILL (or crashed) left: nothing else ever
     * removes them. Returns null when the lock cannot be had; the gateway runs all the same.
     */
    private static WorkDirOwner claim(GatewayConfig config, Path dir) {
        WorkDirOwner owner = null;
        try {
            owner = WorkDirOwner.claim(dir);
        } catch (IOException e) {
            // Only a SIGKILL would leave this directory behind for good.
            LOG.debug("gateway {}: cannot lock work directory {}: {}", config.group(), dir, e.getMessage());
        }
        WorkDirOwner.removeLeftovers(dir.getParent(), dir);
        return owner;
    }

    /**
     * Adds a listener for group events (faults, recoveries, replica starts, requests of death, unreplayable requests,
     * fail-stop). Called on the event loop.
     */
    public void addListener(Consumer<GroupEvent> listener) {
        events.add(listener);
    }

    public void removeListener(Consumer<GroupEvent> listener) {
        events.remove(listener);
    }

    private void startReplicas() {
        deleteEarlierCheckpoints();
        Quorum quorum = new Quorum(config.replicas());
        group = new ServerGroup(config, workDir, loop, events);
        Mode mode = config.listen().mode();
        if (mode == Mode.STREAM) {
            streams = new StreamBackends(group, config.replicas());
            group.engine(streams);
        } else {
            mux = multiplexer(quorum, mode);
            if (initial != null) {
                startFromInitial();
            }
        }
        awaitStart();
    }

    /**
     * A configured work directory still holds what an earlier run's checkpoints stored. None of it is used again: this
     * run's servers start empty and its requests are numbered from 1 again, or they start from the checkpoint given to
     * {@link #start(GatewayConfig, Sequencer, CheckpointStore.Stored)} (a cluster host's Raft snapshot), which is taken
     * in afresh; so it only filled the disk, run after run.
     */
    private void deleteEarlierCheckpoints() {
        Path stored = workDir.resolve(CHECKPOINTS);
        try {
            Directories.delete(stored);
        } catch (IOException e) {
            LOG.warn("gateway {}: cannot delete the checkpoints an earlier run left in {}: {}", config.group(), stored,
                    FileErrors.describe(e));
        }
    }

    /** Before the servers start: they start from {@link #initial}, and the requests are numbered on after it. */
    private void startFromInitial() {
        if (checkpoints == null) {
            // Without the digest request nothing could check that a server loaded the saved state.
            throw new ReshException("group " + config.group() + " cannot start from the checkpoint at request #"
                    + initial.sequence() + ": its config has no checkpoint: (put the checkpoint: section back)");
        }
        try {
            checkpoints.adopt(initial);
        } catch (IOException e) {
            throw new ReshException("group " + config.group() + " cannot start from the checkpoint at request #"
                    + initial.sequence() + ": " + FileErrors.describe(e), e);
        }
        mux.startAfter(initial.sequence());
    }

    private OrderedMultiplexer multiplexer(Quorum quorum, Mode mode) {
        Protocol protocol = mode == Mode.UDP ? new DatagramProtocol() : Protocol.named(config.listen().protocol());
        ReplayLog log = config.recovery() == GatewayConfig.Recovery.REPLAY
                ? new ReplayLog(config.replayLogLimit(), config.replayLogEntries()) : null;
        GroupCallbacks callbacks = new GroupCallbacks() {
            @Override
            public String group() {
                return config.group();
            }

            @Override
            public void fault(int slot, FaultKind kind, long sequence, String evidence) {
                group.fault(slot, kind, sequence, evidence);
            }

            @Override
            public void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence) {
                group.faultWhileIdle(slot, kind, answeredThrough, evidence);
            }

            @Override
            public void caughtUp(int slot, long sequence, long replayed) {
                group.caughtUp(slot, sequence, replayed);
            }

            @Override
            public void skipped(long sequence, int slots, int processes, String detail) {
                group.forgive(slots);
                events.accept(new GroupEvent.PoisonRequest(System.currentTimeMillis(), config.group(), sequence,
                        Integer.bitCount(slots), processes, detail));
            }

            @Override
            public void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                                     boolean serving, String detail) {
                events.accept(new GroupEvent.UnreplayableRequest(System.currentTimeMillis(), config.group(), sequence,
                        request, replacementsFailed, executed, notRebuilt, serving, detail));
            }

            @Override
            public void failStopped(long sequence, String detail) {
                events.accept(new GroupEvent.FailStopped(System.currentTimeMillis(), config.group(), sequence, detail));
            }

            @Override
            public boolean closing() {
                return group.isClosed();
            }

            @Override
            public void checkpointSaved(long sequence, int source, byte[] digest) {
                storeCheckpoint(sequence, source, digest);
            }

            @Override
            public void checkpointNotTaken(long sequence, String why) {
                CompletableFuture<CheckpointStore.Stored> f = asked.remove(sequence);
                if (f != null) {
                    f.completeExceptionally(new ReshException("group " + config.group() + ": checkpoint at request #"
                            + sequence + " not taken: " + why));
                }
            }

            @Override
            public void logCut(long sequence, int dropped) {
                checkpointStable(sequence, dropped);
            }

            @Override
            public void logRestarted(long sequence) {
                group.rebuildable(sequence);
            }
        };
        Canonicalizer canonicalizer = new Canonicalizer(protocol, config.canonicalize());
        OrderedMultiplexer m = new OrderedMultiplexer(quorum, protocol, canonicalizer, log,
                callbacks, new OrderedMultiplexer.Settings(config.deadline(), config.maxInFlight(),
                        mode == Mode.UDP ? UDP_REPLAY_WINDOW : TCP_REPLAY_WINDOW),
                System::nanoTime, loop);
        if (config.checkpoint() != null) {
            GatewayConfig.Checkpoint c = config.checkpoint();
            checkpoints = new CheckpointStore(workDir.resolve(CHECKPOINTS), c.files());
            Request digest = CheckpointRequests.decode(protocol, c.digest());
            m.checkpoints(new OrderedMultiplexer.CheckpointPlan(c.every(), CheckpointRequests.decode(protocol, c.save()), digest));
            group.checkpoint(checkpoints::current);
            group.startCheck(new StartedStateCheck(digest, protocol, canonicalizer, config.maxReplyBytes(),
                    config.server().readyTimeout(), quorum.agreementNeeded()));
        }
        group.engine(mode == Mode.UDP
                ? new UdpBackends(loop, m, config.maxReplyBytes(), group, config.replicas())
                : new TcpBackends(loop, m, protocol, config.maxReplyBytes(), group, config.replicas()));
        return m;
    }

    /**
     * Copies what replica {@code source} saved at request {@code sequence}, off the loop; the copy counts only if that
     * replica was not restarted meanwhile (a restart empties its data directory).
     */
    private void storeCheckpoint(long sequence, int source, byte[] digest) {
        int incarnation = group.incarnation(source);
        Path from = group.dataDir(source);
        group.offLoop(() -> {
            String failure = null;
            CheckpointStore.Stored stored = null;
            try {
                stored = checkpoints.store(sequence, from, digest);
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? FileErrors.describe(io) : String.valueOf(e);
            }
            CheckpointStore.Stored done = stored;
            String why = failure;
            loop.execute(() -> {
                boolean intact = done != null && group.incarnation(source) == incarnation;
                String whyNot = why != null ? why : "replica " + source + " was restarted while its saved state was copied";
                if (!intact) {
                    LOG.warn("group {}: checkpoint at request #{} not stored: {}", config.group(), sequence, whyNot);
                }
                CompletableFuture<CheckpointStore.Stored> f = asked.remove(sequence);
                if (f != null && intact) {
                    f.complete(done);
                } else if (f != null) {
                    f.completeExceptionally(new ReshException("group " + config.group() + ": checkpoint at request #"
                            + sequence + " not stored: " + whyNot));
                }
                mux.checkpointStored(sequence, intact);
            });
        });
    }

    /** The replay log now starts after request {@code sequence}: replacements start from that checkpoint. */
    private void checkpointStable(long sequence, int dropped) {
        checkpoints.promote(sequence);
        CheckpointStore.Stored s = checkpoints.current();
        if (s == null) {
            return; // not stored: the multiplexer cuts only at a stored one
        }
        LOG.debug("group {}: checkpoint at request #{} ({} bytes) cut {} requests from the replay log", config.group(),
                sequence, s.bytes(), dropped);
        events.accept(new GroupEvent.CheckpointStable(System.currentTimeMillis(), config.group(), sequence,
                Digest.of(s.digest()), s.bytes()));
    }

    private void awaitStart() {
        Duration wait = config.server().readyTimeout().plusSeconds(10);
        try {
            group.start().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ReshException("group " + config.group() + " did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ReshException("group " + config.group() + " did not start within " + wait.toSeconds() + " s; replica logs are in "
                    + workDir.resolve("logs"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshException("interrupted while starting group " + config.group());
        }
    }

    private void listen() {
        InetSocketAddress address = new InetSocketAddress(config.listen().host(), config.listen().port());
        try {
            if (config.listen().mode() == Mode.UDP) {
                udpFrontend = new UdpFrontend(mux, config.maxFrameBytes(), config.maxClients());
                listener = new Bootstrap().group(loop).channel(NioDatagramChannel.class)
                        .option(ChannelOption.AUTO_READ, false)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, Datagrams.receiveBuffer(config.maxFrameBytes()))
                        .handler(udpFrontend)
                        .bind(address).sync().channel();
                return;
            }
            ChannelInitializer<Channel> clientPipeline = config.listen().mode() == Mode.STREAM
                    ? new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new StreamSession(streams, group, new Quorum(config.replicas()),
                                    config.deadline().toNanos(), clients, config.maxClients()));
                        }
                    }
                    : new OrderedInitializer(mux, sequencer, Protocol.named(config.listen().protocol()), config.maxFrameBytes(),
                            config.frameTimeout().toNanos(), clients, config.maxClients());
            // Clients are read only when the replicas can take more (auto-read off), on the same single
            // event loop as the backends, so the multiplexer and the voters need no locks.
            listener = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, config.listen().mode() == Mode.STREAM)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                    .childHandler(clientPipeline)
                    .bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshException("interrupted while binding " + address);
        } catch (Exception e) {
            throw new ReshException("cannot listen on " + config.listen().host() + ":" + config.listen().port() + ": "
                    + e.getMessage(), e);
        }
    }

    private void startTicker() {
        long period = OrderedMultiplexer.tickPeriod(config.deadline()).toMillis();
        StallFreeClock streamClock = new StallFreeClock(TimeUnit.MILLISECONDS.toNanos(period)); // the mux has its own
        loop.scheduleAtFixedRate(() -> {
            if (mux != null) {
                mux.tick();
            } else {
                streams.tick(streamClock.tick(System.nanoTime()));
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Executes one request that an external {@link Sequencer} ordered: it goes to every replica after
     * all requests executed before it, and the future completes with the voted reply (or the error
     * reply the gateway gives when the replicas cannot agree). Call it in the sequencer's order, from
     * one thread: requests are numbered in the order of these calls.
     */
    public CompletableFuture<byte[]> execute(Request request) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (mux == null) {
            reply.completeExceptionally(new ReshException("group " + config.group() + " runs in "
                    + config.listen().mode().label() + " mode, which executes no ordered requests"));
            return reply;
        }
        try {
            loop.execute(() -> mux.submitCommitted(request, reply::complete));
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new ReshException("group " + config.group() + " is closed"));
        }
        return reply;
    }

    /**
     * Takes a checkpoint of the servers' state after every request executed so far, once a checkpoint being taken is
     * done, and completes with it once it is stored (its files stay in the work directory until a newer checkpoint is
     * promoted, which takes a later periodic checkpoint and a cut of the replay log). A cluster host calls it for a
     * Raft snapshot while its state machine applies nothing, so the checkpoint covers exactly the applied entries.
     * Fails (a {@link ReshException} saying why) without {@code checkpoint:}, with fewer than f+1 healthy servers, or
     * when they do not agree on it.
     */
    public CompletableFuture<CheckpointStore.Stored> checkpointNow() {
        CompletableFuture<CheckpointStore.Stored> f = new CompletableFuture<>();
        if (mux == null || config.checkpoint() == null) {
            f.completeExceptionally(new ReshException("group " + config.group() + " takes no checkpoints (its config has"
                    + " no checkpoint:)"));
            return f;
        }
        try {
            loop.execute(() -> checkpointWhenIdle(f));
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new ReshException("group " + config.group() + " is closed"));
        }
        return f;
    }

    private void checkpointWhenIdle(CompletableFuture<CheckpointStore.Stored> f) {
        if (closed) {
            f.completeExceptionally(new ReshException("group " + config.group() + " is closed"));
            return;
        }
        long sequence;
        try {
            sequence = mux.checkpointNow();
        } catch (IllegalStateException e) {
            f.completeExceptionally(new ReshException("group " + config.group() + ": no checkpoint now: " + e.getMessage()));
            return;
        }
        if (sequence < 0) {
            // A periodic one is being taken; nothing new is executed meanwhile, so the next one still covers the same.
            try {
                loop.schedule(() -> checkpointWhenIdle(f), CHECKPOINT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                f.completeExceptionally(new ReshException("group " + config.group() + " is closed"));
            }
            return;
        }
        asked.put(sequence, f);
    }

    /** The wire protocol of ordered mode, e.g. to frame an error reply for a client. */
    public Protocol protocol() {
        return Protocol.named(config.listen().protocol());
    }

    /** The port clients connect to (the bound one when the config said 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public GatewayConfig config() {
        return config;
    }

    /** Where replica data directories and logs ({@code logs/replica-N.log}) live. */
    public Path workDir() {
        return workDir;
    }

    /** A consistent snapshot of the gateway's state, taken on its event loop. */
    public GatewayStatus status() {
        if (loop.inEventLoop()) {
            return statusNow();
        }
        try {
            return loop.submit(this::statusNow).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshException("interrupted while reading status");
        } catch (ExecutionException | TimeoutException e) {
            throw new ReshException("cannot read the gateway's status: " + e, e);
        }
    }

    private GatewayStatus statusNow() {
        if (mux == null) {
            return new GatewayStatus(config.group(), config.listen().mode().label(), config.listen().protocol(),
                    config.listen().host(), listener == null ? -1 : port(), clients.get(), 0, 0, 0, 0, 0, false, 0, null, null,
                    streamNotServing(), 0, config.checkpoint() != null, group.status());
        }
        ReplayLog log = mux.replayLog();
        var replicas = group.status().stream().map(r -> {
            String state = r.state();
            if (state.equals("live") || state.equals("replaying")) {
                state = mux.slotState(r.replica()).equals("out") ? "faulty" : mux.slotState(r.replica());
            }
            return new GatewayStatus.ReplicaStatus(r.replica(), state, r.core(), r.pid(), r.port(), r.incarnation(), r.faults(),
                    r.lastFault(), r.log());
        }).toList();
        return new GatewayStatus(config.group(), config.listen().mode().label(), config.listen().protocol(),
                config.listen().host(), listener == null ? -1 : port(),
                udpFrontend != null ? udpFrontend.clients() : clients.get(), mux.sequenced(), mux.inFlight(),
                mux.undecided(), log == null ? 0 : log.size(), log == null ? 0 : log.bytes(),
                log != null && log.overflowed(), log == null ? 0 : log.skipped(), mux.unreplayableRequest(), mux.failStop(),
                mux.notServing(), log == null ? 0 : log.base(), config.checkpoint() != null, replicas);
    }

    /** As {@link OrderedMultiplexer#notServing}, in stream mode: new connections are refused; its replicas restart empty. */
    private String streamNotServing() {
        Quorum quorum = new Quorum(config.replicas());
        long live = group.status().stream().filter(r -> r.state().equals("live")).count();
        return streams == null || live >= quorum.agreementNeeded() ? null : "only " + live + " of " + config.replicas()
                + " replicas are healthy and " + quorum.agreementNeeded() + " must agree; the others are being restarted";
    }

    /**
     * One line for a start-up message, e.g. {@code group redis: 3 replicas of 'redis-server' behind
     * 127.0.0.1:6380 (ordered mode, resp), masking 1 faulty; replica logs in /tmp/resh-gateway-redis.../logs}.
     */
    @Override
    public String toString() {
        return "group " + config.group() + ": " + config.replicas() + " replicas of '"
                + Path.of(config.server().commandFor(0).get(0)).getFileName() + "' behind " + config.listen().host() + ":"
                + (listener == null ? config.listen().port() : port()) + " (" + config.listen().mode().label() + " mode, "
                + config.listen().protocol() + "), masking " + new Quorum(config.replicas()).faultsMasked()
                + " faulty; replica logs in " + workDir.resolve("logs");
    }

    /** Blocks until {@link #close()} has finished (e.g. from a shutdown hook). */
    public void awaitClosed() throws InterruptedException {
        closedLatch.await();
    }

    /** Stops listening, kills every replica process and releases the event loop. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (listener != null) {
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (group != null) {
                group.close();
            }
            for (Long sequence : List.copyOf(asked.keySet())) {
                CompletableFuture<CheckpointStore.Stored> f = asked.remove(sequence);
                if (f != null) {
                    f.completeExceptionally(new ReshException("group " + config.group() + " closed while its checkpoint"
                            + " at request #" + sequence + " was taken"));
                }
            }
            loopGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (ownsWorkDir && troubles.get() == 0 && failedStarts.get() == 0) {
                deleteQuietly(workDir);
                if (owner != null) {
                    owner.release(); // after the deletion: a lock released first let another process take what is left
                }
            } else if (ownsWorkDir) {
                if (owner != null) {
                    owner.release(); // kept on purpose now, for the post-mortem: not a leftover to remove
                }
                LOG.info("gateway {}: kept work directory {} for post-mortem: {}", config.group(), workDir, postMortem());
            }
        } finally {
            closedLatch.countDown();
        }
    }

    /** E.g. {@code 1 fault seen; 2 failed starts of its 3 servers, the last: replica 0 could not start: ...}. */
    private String postMortem() {
        List<String> seen = new ArrayList<>();
        int faults = troubles.get();
        if (faults > 0) {
            seen.add(faults + (faults == 1 ? " fault seen" : " faults seen"));
        }
        int starts = failedStarts.get();
        if (starts > 0) {
            seen.add(starts + (starts == 1 ? " failed start" : " failed starts") + " of its " + config.replicas()
                    + (config.replicas() == 1 ? " server" : " servers") + ", the last: " + lastFailedStart);
        }
        return String.join("; ", seen);
    }

    private static void deleteQuietly(Path dir) {
        try {
            Directories.delete(dir);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
