package io.resh.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.resh.core.ConfigException;
import io.resh.core.ReshException;
import io.resh.host.ReplicaGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoint of running replica groups: Prometheus metrics at {@code /metrics}, the JSON admin API
 * under {@code /api}, the live event stream, and the dashboard at {@code /}. Every call but the dashboard
 * page needs {@code Authorization: Bearer <token>}, the token being read from (or created in) the
 * configured token file.
 *
 * <pre>{@code
 * try (ReplicaGroup group = ReplicaGroup.start(groupConfig);
 *      AdminServer admin = AdminServer.start(AdminConfig.defaults(), List.of(group))) {
 *     System.out.println("admin: " + admin.url());
 *     group.submit(request);   // every voted reply shows up in the vote latency
 * }
 * }</pre>
 *
 * Close the server before the groups it watches; closing it detaches it from them. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final long STATUS_PERIOD_MILLIS = 500;
    private static final long SAMPLE_PERIOD_MILLIS = 1000;

    private final AdminConfig config;
    private final AdminToken token;
    private final PrometheusMeterRegistry registry;
    private final Map<String, GroupWatch> watches;
    private final Map<String, GatewayWatch> gateways;
    private boolean closed;
    private final EventJournal journal;
    private final EventPump pump;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService actions;
    private final EventLoopGroup loop;
    /** Every open connection (a channel leaves it when it closes), so that close() can end event streams. */
    private final ChannelGroup connections = new DefaultChannelGroup("resh-admin", GlobalEventExecutor.INSTANCE);
    private final Channel channel;
    private final String url;
    /** This server's record among the running ones, or null when it has none. */
    private Path record;

    private AdminServer(AdminConfig config, List<ReplicaGroup> groups, ClusterMembership membership,
                        List<GatewayView> gatewayViews) throws IOException {
        this.config = config;
        this.token = AdminToken.loadOrCreate(config.tokenFile());
        SslContext ssl = config.tls() ? sslContext(config) : null;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        this.scheduler = Executors.newScheduledThreadPool(2, new DefaultThreadFactory("resh-admin-poll", true));
        Map<String, GroupWatch> byName = new LinkedHashMap<>();
        Map<String, GroupMetrics> metrics = new LinkedHashMap<>();
        for (ReplicaGroup g : groups) {
            String name = g.config().name();
            if (byName.containsKey(name)) {
                throw new ConfigException("groups", "two groups are named '" + name + "'; names must be unique");
            }
            GroupWatch w = new GroupWatch(g, new VoteLatency(name, registry), clock, scheduler);
            w.poll(); // the cores and versions to export gauges for
            byName.put(name, w);
            metrics.put(name, new GroupMetrics(registry, w));
        }
        this.watches = Collections.unmodifiableMap(byName);
        Map<String, GatewayWatch> gatewaysByName = new LinkedHashMap<>();
        for (GatewayView g : gatewayViews) {
            if (byName.containsKey(g.name()) || gatewaysByName.containsKey(g.name())) {
                throw new ConfigException("groups", "two groups are named '" + g.name() + "'; names must be unique");
            }
            gatewaysByName.put(g.name(), new GatewayWatch(g, json, registry, scheduler, clock));
        }
        this.gateways = Collections.unmodifiableMap(gatewaysByName);
        RotatingFile file = config.eventLog() == null ? null
                : new RotatingFile(config.eventLog(), config.eventLogMaxBytes(), config.eventLogFiles());
        this.journal = new EventJournal(json, file, config.recentEvents());
        Broadcast samples = new Broadcast();
        this.actions = Executors.newFixedThreadPool(2, new DefaultThreadFactory("resh-admin-action", true));
        Counter rejected = Counter.builder("resh.admin.unauthorized")
                .description("Admin calls rejected for a missing or wrong token").register(registry);
        AdminRoutes routes = new AdminRoutes(watches, gateways, journal, registry, json, actions, membership);
        AdminHandler handler = new AdminHandler(token, routes, new Dashboard(), journal, samples, rejected);
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("resh-admin-http", true),
                NioIoHandler.newFactory());
        try {
            this.channel = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childHandler(new AdminInitializer(ssl, handler, connections))
                    .bind(config.host(), config.port()).sync().channel();
        } catch (Exception e) { // bind() rethrows the socket's checked exceptions undeclared
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            scheduler.shutdownNow();
            actions.shutdownNow();
            journal.close();
            throw new ReshException("admin: cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        this.url = (ssl != null ? "https" : "http") + "://" + host + ":" + port + "/";
        // Made once the URL is known, which each event line names its writer by: several resh serve of one home
        // append to one event log file.
        this.pump = new EventPump(new EventJson(json, EventJson.server(json, ProcessHandle.current().pid(), url)), journal,
                watches, Map.copyOf(metrics), registry);
        // Only now that nothing can fail any more: from here on the groups feed this server.
        GroupViews views = new GroupViews(json);
        for (GroupWatch w : watches.values()) {
            w.group().addListener(pump);
            w.group().addReplyListener(w.latency());
            w.poll();
            scheduler.scheduleWithFixedDelay(w::poll, STATUS_PERIOD_MILLIS, STATUS_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            scheduler.scheduleAtFixedRate(() -> publishSample(w, views, json, samples), 0, SAMPLE_PERIOD_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        for (GatewayWatch g : gateways.values()) {
            g.gateway().addListener(g); // first: it asks for a fresh status before the pump publishes the event
            g.gateway().addListener(pump);
            g.refresh(); // not a periodic one: the first answer of /api/gateways waits for this poll
            scheduler.scheduleWithFixedDelay(g::poll, STATUS_PERIOD_MILLIS, STATUS_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        }
        writeEndpointFile();
        LOG.debug("admin: {} (token in {})", url, config.tokenFile());
    }

    /**
     * Starts the admin endpoint for {@code groups} (already started; events from now on are recorded).
     *
     * @throws ConfigException if two groups share a name or the TLS files are unusable
     * @throws ReshException if the address can't be bound
     * @throws UncheckedIOException if the token file or the event log can't be created
     */
    public static AdminServer start(AdminConfig config, List<ReplicaGroup> groups) {
        return start(config, groups, null);
    }

    /**
     * Starts the admin endpoint of a cluster host: {@code groups} (its local replica group) as
     * {@link #start(AdminConfig, List)} does, plus {@code /api/cluster} backed by {@code membership}.
     *
     * @param membership this host's cluster view and membership changes; null for a host outside a cluster
     *     ({@code /api/cluster} then answers 404)
     */
    public static AdminServer start(AdminConfig config, List<ReplicaGroup> groups, ClusterMembership membership) {
        return start(config, groups, membership, List.of());
    }

    /**
     * Starts the admin endpoint for replica groups and voting gateways: gateways are shown under
     * {@code /api/gateways} (read-only), their events join the event log and stream, and their faults,
     * recoveries and live servers are metered.
     *
     * @param membership this host's cluster view, or null outside a cluster
     */
    public static AdminServer start(AdminConfig config, List<ReplicaGroup> groups, ClusterMembership membership,
                                    List<GatewayView> gateways) {
        try {
            return new AdminServer(config, List.copyOf(groups), membership, List.copyOf(gateways));
        } catch (IOException e) {
            throw new UncheckedIOException("admin: " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext(AdminConfig config) {
        try {
            return SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("admin.tls", "cannot use certificate " + config.tlsCert() + " with key "
                    + config.tlsKey() + " (PEM certificate chain and PKCS#8 key expected): " + e.getMessage());
        }
    }

    private static void publishSample(GroupWatch w, GroupViews views, ObjectMapper json, Broadcast samples) {
        try {
            Sample s = w.sample();
            samples.publish(new StreamMessage(StreamMessage.SAMPLE, w.name(), null, json.writeValueAsString(views.sample(s))));
        } catch (IOException | RuntimeException e) {
            LOG.warn("admin: cannot sample group {}: {}", w.name(), e.toString());
        }
    }

    private void writeEndpointFile() {
        if (config.endpointFile() == null) {
            return;
        }
        List<String> names = new ArrayList<>(watches.keySet());
        names.addAll(gateways.keySet());
        try {
            record = RunningServers.of(config).add(url, port(), String.join(", ", names));
        } catch (IOException e) {
            LOG.warn("admin: cannot write {} (the CLI will need --url): {}", config.endpointFile(), e.getMessage());
        }
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123/}, with a trailing slash. */
    public String url() {
        return url;
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * The dashboard URL with the token: {@code http://127.0.0.1:40123/?token=...}. Anyone who sees it can
     * control the groups; print it only to the operator's own terminal.
     */
    public String dashboardUrl() {
        return url + "?token=" + token.value();
    }

    /** The bearer token every API call must carry. */
    public String token() {
        return token.value();
    }

    /** Where the token is kept. */
    public Path tokenFile() {
        return config.tokenFile();
    }

    /**
     * The watched group {@code name} as a {@link MeteredGroup}.
     *
     * @deprecated every voted reply of a watched group is timed now; submit to the group directly
     */
    @Deprecated
    public MeteredGroup metered(String name) {
        GroupWatch w = watches.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no group '" + name + "'; groups: " + String.join(", ", watches.keySet()));
        }
        return new MeteredGroup(w.group());
    }

    /**
     * Watches {@code replacement} instead of the group of the same name given at start, e.g. after a cluster
     * host restarted its local group from a snapshot installed by the leader. Its counters start again
     * from the replacement's; events, metrics history and the dashboard go on.
     *
     * @throws IllegalArgumentException if no group of that name is watched, or its size differs
     */
    public synchronized void replace(ReplicaGroup replacement) {
        String name = replacement.config().name();
        GroupWatch w = watches.get(name);
        if (w == null) {
            throw new IllegalArgumentException("no group '" + name + "'; groups: " + String.join(", ", watches.keySet()));
        }
        if (w.replicas() != replacement.config().replicas()) {
            throw new IllegalArgumentException("group " + name + " had " + w.replicas() + " replicas, its replacement "
                    + replacement.config().replicas());
        }
        if (closed || w.group() == replacement) {
            return;
        }
        ReplicaGroup old = w.rebind(replacement);
        old.removeListener(pump);
        old.removeReplyListener(w.latency());
        replacement.addListener(pump);
        replacement.addReplyListener(w.latency());
        w.poll();
        LOG.info("admin: now watching the restarted group {}", name);
    }

    /** The registry behind {@code /metrics}, for callers that add their own meters. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Detaches from the groups, stops listening, closes open streams and flushes the event log. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (GroupWatch w : watches.values()) {
            w.group().removeListener(pump);
            w.group().removeReplyListener(w.latency());
        }
        for (GatewayWatch g : gateways.values()) {
            g.gateway().removeListener(pump);
            g.gateway().removeListener(g);
        }
        if (channel.isOpen()) {
            channel.close().syncUninterruptibly();
        }
        // Closed here, not left to the event loop's shutdown: an event stream sometimes survived that, and a
        // follower of it (resh events --follow) waited forever.
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        scheduler.shutdownNow();
        actions.shutdownNow();
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        pump.close();
        journal.close();
        deleteEndpointFile();
    }

    /**
     * Removes this server's own record, and hands the endpoint file to another server still running if it names
     * this one: a server started later may have written its own URL there since, and one started earlier may run on.
     */
    private void deleteEndpointFile() {
        if (record != null) {
            RunningServers.of(config).remove(record, url);
        }
    }
}
