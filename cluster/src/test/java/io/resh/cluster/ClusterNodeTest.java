package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.core.ConfigException;
import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.TestGroups;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A single-peer cluster in this JVM: the Raft path, snapshots and restart from disk. */
class ClusterNodeTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @RegisterExtension
    final LoggedLines logged = new LoggedLines("io.resh");

    private ClusterNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private ClusterNode start(ClusterConfig config) {
        return start(config, TestGroups.counter("cn", 3, dir).checkpointEvery(20).build());
    }

    private ClusterNode start(ClusterConfig config, io.resh.core.config.GroupConfig group) {
        node = ClusterNode.start(config, group, List.of());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> node.call(utf8("get"), Duration.ofSeconds(5)) != null);
        return node;
    }

    /**
     * Asserts that {@code start} is refused before any part of the host started: a host refused only after its
     * local group had started logged that start first, and a user reading the log saw a start, then a refusal.
     * Nothing is left behind either: its storage is as it was, and no replica process was started.
     */
    private AbstractThrowableAssert<?, ? extends Throwable> assertRefusedBeforeAnythingStarts(Path storage,
                                                                                            ThrowingCallable start)
            throws Exception {
        Map<String, Long> files = files(storage);
        Set<Long> replicas = children();
        int before = logged.lines().size();
        AbstractThrowableAssert<?, ? extends Throwable> refused = assertThatThrownBy(start);
        assertThat(logged.lines().subList(before, logged.lines().size())).as("lines logged before the refusal")
                .noneMatch(l -> l.contains("started") || l.contains(" up: "));
        assertThat(files(storage)).as("the files of the storage").isEqualTo(files);
        assertThat(children()).as("processes started").isSubsetOf(replicas);
        return refused;
    }

    /** Each file and directory under {@code dir}, with a file's size. */
    private static Map<String, Long> files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return Map.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            Map<String, Long> out = new TreeMap<>();
            for (Path p : all.toList()) {
                out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? -1 : Files.size(p));
            }
            return out;
        }
    }

    private static Set<Long> children() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A request not committed in time may still be committed later (a leader that took it lost its majority for a
     * while): its client must not be told to simply retry, which would apply it twice. Requests retried through an
     * election that never ends got the last try's Ratis text ("not committed: NotLeaderException: Server h1@group-…
     * is not the leader") instead of this answer whenever that try ended just before the timeout: every one of them,
     * with one host of three running.
     */
    @Test
    void shouldAnswerEveryRequestNotCommittedInTimeWithTheDocumentedMessage() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(3);
        ClusterConfig config = new ClusterConfig("h1", peers, dir.resolve("h1"), "test", Duration.ofMillis(400),
                Duration.ofMillis(800), 1000, Duration.ofSeconds(2), 64 << 10);
        node = ClusterNode.start(config, TestGroups.counter("cn", 3, dir).build(), List.of()); // h2, h3 never start

        List<CompletableFuture<ClusterReply>> replies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            replies.add(node.submit(null, 0, utf8("add:1"), false));
        }

        for (CompletableFuture<ClusterReply> f : replies) {
            ClusterReply r = f.get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(ClientProtocol.STATUS_OUTCOME_UNKNOWN);
            assertThat(r.message()).isEqualTo("not committed within 2000 ms (no leader, or no majority of hosts);"
                    + " it may still be committed later, so a retry may apply it twice (only the Java ClusterClient's"
                    + " own retries apply it once)");
        }
    }

    /**
     * Once a request is committed the other hosts apply it whatever this host's group does, so "unavailable" (which
     * tells a client the request was not run) would invite a retry that applies a write twice. A closed local group
     * answered a committed request with it.
     */
    @Test
    void shouldAnswerACommittedRequestTheLocalGroupCannotRunWithOutcomeUnknown() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        node.group().close();

        ClusterReply r = node.submit(null, 0, utf8("add:1"), false).get(20, TimeUnit.SECONDS);

        assertThat(r.status()).isEqualTo(ClientProtocol.STATUS_OUTCOME_UNKNOWN);
        assertThat(r.message()).isEqualTo("committed to the cluster's log, so the other hosts apply it, but this host's"
                + " group gave no reply (group cn is closed); a retry may apply it twice (only the Java ClusterClient's"
                + " own retries apply it once)");
        assertThat(node.status().appliedRequests()).as("the warm-up get and the add").isEqualTo(2);
    }

    @Test
    void shouldApplyRequestsInLogOrderAndAnswerWithTheVotedReply() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(peers), Duration.ofSeconds(20))) {
            for (int i = 1; i <= 30; i++) {
                assertThat(text(client.call(utf8("add:1")))).isEqualTo(Integer.toString(i));
            }
        }
        ClusterStatus s = node.status();
        assertThat(s.appliedRequests()).as("30 adds after the warm-up get").isEqualTo(31);
        assertThat(s.group().lastSequence()).isEqualTo(31);
        assertThat(s.leader()).isEqualTo("h1");
        assertThat(s.toJson()).contains("\"role\":\"LEADER\"").contains("\"client\":\"127.0.0.1:");
        // what resh cluster status compares between hosts
        assertThat(s.settings()).isEqualTo("service " + CounterService.class.getName() + ", 3 replicas, maxRequestBytes "
                + (16 << 20));
    }

    @Test
    void shouldGiveReplicasTheLeaderChosenTime() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        long before = System.currentTimeMillis();
        try (ReshClient client = ReshClient.connect(Loopback.clientAddresses(peers))) {
            long t = Long.parseLong(client.call("time", Duration.ofSeconds(10)));
            assertThat(t).isBetween(before, System.currentTimeMillis());
            assertThatThrownBy(() -> client.call("fail", Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(ReshRemoteException.class,
                            e -> assertThat(e.status()).isEqualTo(ClientProtocol.STATUS_SERVICE_ERROR));
        }
    }

    /**
     * A request over Ratis's default entry limit (4 MiB) but within {@code limits.maxRequestBytes} (16 MiB) is
     * committed and answered: it was refused once the leader had taken it ("Log entry size ... exceeds the max
     * buffer limit"), as an error that said to retry, and each try cost an election.
     */
    @Test
    void shouldCommitARequestLargerThanRaftsDefaultEntryLimit() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        long term = node.status().term();
        String big = "x".repeat(5 << 20);

        assertThat(text(node.call(utf8(big), Duration.ofSeconds(30)))).hasSize(5 + (5 << 20)).startsWith("echo:xxx");

        assertThat(text(node.call(utf8("add:1"), Duration.ofSeconds(10)))).isEqualTo("1");
        assertThat(node.status().term()).as("no election").isEqualTo(term);
    }

    /** A host paused for minutes (SIGSTOP, a suspended VM) comes back; Ratis closed it after 60 s by default. */
    @Test
    void shouldLetAHostRideOutALongPause() {
        RaftProperties p = ClusterNode.properties(
                Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 1000), true, 16 << 20);
        assertThat(RaftServerConfigKeys.closeThreshold(p).toLong(TimeUnit.HOURS))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldApplyARetriedRequestOnceAndAnswerTheRetryWithTheFirstOutcome() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        java.util.UUID client = java.util.UUID.randomUUID();
        byte[] frame = new Envelope(client, 7, utf8("add:5")).encode();
        try (ReshClient first = ReshClient.connect(Loopback.clientAddresses(peers));
             ReshClient second = ReshClient.connect(Loopback.clientAddresses(peers))) {
            assertThat(text(first.call(frame, Duration.ofSeconds(10)))).isEqualTo("5");
            assertThat(text(second.call(frame, Duration.ofSeconds(10)))).as("the retry's answer").isEqualTo("5");
            byte[] next = new Envelope(client, 8, utf8("add:5")).encode();
            assertThat(text(second.call(next, Duration.ofSeconds(10)))).isEqualTo("10");
        }
        assertThat(text(node.call(utf8("get"), Duration.ofSeconds(10)))).isEqualTo("10");
    }

    @Test
    void shouldRefuseAnOversizedRequestWithoutDesynchronizingSnapshots() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000),
                TestGroups.counter("cn", 3, dir).checkpointEvery(20).maxRequestBytes(1024).build());
        try (ReshClient client = ReshClient.connect(Loopback.clientAddresses(peers))) {
            assertThatThrownBy(() -> client.call("echo:" + "x".repeat(1040), Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(ReshRemoteException.class,
                            e -> assertThat(e.status()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST))
                    .hasMessageContaining("maxRequestBytes");
            assertThat(client.call("add:3", Duration.ofSeconds(10))).isEqualTo("3");
        }
        assertThat(node.checkpointNow().sequence()).isEqualTo(node.status().appliedRequests());
    }

    @Test
    void shouldRestartFromTheSnapshotAndReplayTheLogTail() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(1);
        ClusterConfig config = Loopback.config("h1", peers, dir.resolve("h1"), 25);
        start(config);
        try (ClusterClient client = ClusterClient.connect(Loopback.clientAddresses(peers), Duration.ofSeconds(20))) {
            for (int i = 1; i <= 60; i++) {
                client.call(utf8("add:2"));
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> node.status().snapshotIndex() >= 25);
        long snapshots;
        try (var files = Files.walk(dir.resolve("h1"))) {
            snapshots = files.filter(f -> f.getFileName().toString().matches("snapshot\\.\\d+_\\d+")).count();
        }
        assertThat(snapshots).isPositive();
        node.close();
        node = null;

        start(config); // replays the log tail, then applies one more get
        assertThat(node.status().appliedRequests()).isEqualTo(62);
        assertThat(text(node.call(utf8("get"), Duration.ofSeconds(10)))).isEqualTo("120");
        assertThat(node.status().group().lastSequence()).isEqualTo(63);
    }
    @Test
    void shouldRefuseInOneLineTheStorageOfAHostThatIsRunning() {
        List<ClusterPeer> peers = Loopback.peers(1);
        start(Loopback.config("h1", peers, dir.resolve("h1"), 1000));
        // The same host started twice: other ports, the same storage directory.
        ClusterConfig twin = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 1000);
        long started = System.nanoTime();
        assertThatThrownBy(() -> ClusterNode.start(twin, TestGroups.counter("twin", 3, dir).build(), List.of()))
                .isInstanceOf(ReshException.class)
                .hasMessage("cannot start cluster host h1: its storage " + dir.resolve("h1")
                        + " is in use by another running host (is host h1 already running?)");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no lock retries").isLessThan(Duration.ofSeconds(4));
        assertThat(text(node.call(utf8("add:1"), Duration.ofSeconds(10)))).as("the running host is untouched").isEqualTo("1");
    }

    /**
     * The Raft group id is derived from the cluster's name: renamed over the same storage, Ratis made a second,
     * empty group beside the first and, from the next start on, failed on both ("ILLEGAL TRANSITION").
     */
    @Test
    void shouldRefuseInOneLineAStorageThatHoldsAnotherClustersLog() throws Exception {
        List<ClusterPeer> peers = Loopback.peers(1);
        Path storage = dir.resolve("h1");
        ClusterConfig before = Loopback.config("h1", peers, storage, 1000);
        start(before);
        assertThat(text(node.call(utf8("add:4"), Duration.ofSeconds(10)))).isEqualTo("4");
        node.close();
        node = null;
        ClusterConfig renamed = new ClusterConfig("h1", peers, storage, "renamed", before.electionMin(),
                before.electionMax(), before.snapshotEvery(), before.requestTimeout(), before.logSegmentBytes());
        String oldGroup = ClusterNode.groupIdOf("test").getUuid().toString();

        for (int attempt = 1; attempt <= 2; attempt++) { // the second start failed differently before
            assertThatThrownBy(() -> ClusterNode.start(renamed, TestGroups.counter("cn", 3, dir).build(), List.of()))
                    .as("start %d", attempt)
                    .isInstanceOf(ReshException.class)
                    .hasMessage("cannot start cluster host h1: its storage " + storage + " holds the Raft log of"
                            + " cluster 'test', but its config names cluster 'renamed' (cluster.name, or group: when"
                            + " there is no cluster.name); put the old name back, or, if that log is not needed,"
                            + " point cluster.storage at an empty directory or remove " + storage.resolve(oldGroup));
        }
        // A storage whose name was not recorded (made by an older resh): the group id is all there is to say.
        Files.delete(storage.resolve(oldGroup).resolve(ClusterStorage.NAME_FILE));
        assertThatThrownBy(() -> ClusterNode.start(renamed, TestGroups.counter("cn", 3, dir).build(), List.of()))
                .isInstanceOf(ReshException.class)
                .hasMessageContaining(" holds the Raft log of another cluster (Raft group " + oldGroup + "), but its"
                        + " config names cluster 'renamed' ");
        try (var entries = Files.list(storage)) {
            assertThat(entries.map(f -> f.getFileName().toString())).as("no second group directory")
                    .containsExactly(oldGroup);
        }

        start(before); // the old name back: the old log, untouched
        assertThat(text(node.call(utf8("get"), Duration.ofSeconds(10)))).isEqualTo("4");
    }

    /**
     * Ratis started a host on another host's storage as if it were its own: with that host's log and votes, a
     * majority could be counted with one host twice and a committed write undone.
     */
    @Test
    void shouldRefuseInOneLineTheStorageOfAnotherHost() throws Exception {
        Path storage = dir.resolve("h1");
        ClusterConfig h1 = Loopback.config("h1", Loopback.peers(1), storage, 1000);
        start(h1);
        assertThat(text(node.call(utf8("add:4"), Duration.ofSeconds(10)))).isEqualTo("4");
        node.close();
        node = null;

        ClusterConfig h2 = Loopback.config("h2", List.of(Loopback.peer("h2")), storage, 1000);
        assertRefusedBeforeAnythingStarts(storage,
                () -> ClusterNode.start(h2, TestGroups.counter("other", 3, dir).build(), List.of()))
                .isInstanceOf(ReshException.class)
                .hasMessage("cannot start cluster host h2: its storage " + storage + " holds the Raft log of host h1,"
                        + " and a host started on another's log could undo committed writes; point cluster.storage at"
                        + " h2's own storage ({id} in it gives each host its own)");

        start(h1); // its own host: the log, untouched
        assertThat(text(node.call(utf8("get"), Duration.ofSeconds(10)))).isEqualTo("4");
    }

    /**
     * The members reach a host at the addresses in the Raft configuration: one restarted with others in its
     * cluster.peers said it served clients, heard no leader and disturbed the others' elections.
     */
    @Test
    void shouldRefuseInOneLineAHostWhoseAddressesAreNotTheOnesTheClusterKnows() throws Exception {
        Path storage = dir.resolve("h1");
        ClusterPeer known = Loopback.peer("h1");
        ClusterConfig before = Loopback.config("h1", List.of(known), storage, 1000);
        start(before);
        assertThat(text(node.call(utf8("add:4"), Duration.ofSeconds(10)))).isEqualTo("4");
        node.close();
        node = null;

        ClusterPeer movedRaft = new ClusterPeer("h1", InetSocketAddress.createUnresolved("127.0.0.1", Loopback.freePort()),
                known.client());
        assertRefusedBeforeAnythingStarts(storage, () -> ClusterNode.start(Loopback.config("h1", List.of(movedRaft),
                storage, 1000), TestGroups.counter("moved", 3, dir).build(), List.of()))
                .isInstanceOf(ReshException.class)
                .hasMessage("cannot start cluster host h1: cluster.peers gives its address as " + movedRaft.raftAddress()
                        + ", but the cluster knows it at " + known.raftAddress() + " (the Raft configuration in its"
                        + " storage " + storage + "); put " + known.raftAddress() + " back, or to move the host, remove"
                        + " it (resh cluster remove), empty its storage and add it again");
        ClusterPeer movedClient = new ClusterPeer("h1", known.address(),
                InetSocketAddress.createUnresolved("127.0.0.1", Loopback.freePort()));
        assertRefusedBeforeAnythingStarts(storage, () -> ClusterNode.start(Loopback.config("h1", List.of(movedClient),
                storage, 1000), TestGroups.counter("moved", 3, dir).build(), List.of()))
                .isInstanceOf(ReshException.class)
                .hasMessageStartingWith("cannot start cluster host h1: cluster.peers gives its client as "
                        + movedClient.clientAddress() + ", but the cluster knows it at " + known.clientAddress() + " ");

        start(before); // the addresses back: the log, untouched
        assertThat(text(node.call(utf8("get"), Duration.ofSeconds(10)))).isEqualTo("4");
    }

    @Test
    void shouldSayThatAStorageWhichIsAFileIsNotADirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        ClusterConfig config = Loopback.config("h1", Loopback.peers(1), file, 1000);
        assertThatThrownBy(() -> ClusterNode.start(config, TestGroups.counter("file", 3, dir).build(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.storage: " + file + " exists and is not a directory");
    }

    /** Said only the path: "cannot start cluster host h1: /proc/nope". */
    @Test
    void shouldNameTheStorageAndWhyItCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ClusterConfig config = Loopback.config("h1", Loopback.peers(1), file.resolve("h1"), 1000);
        assertThatThrownBy(() -> ClusterNode.start(config, TestGroups.counter("under-file", 3, dir).build(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.storage: cannot create " + file.resolve("h1") + ": not a directory");
        ClusterConfig deeper = Loopback.config("h1", Loopback.peers(1), file.resolve("x").resolve("h1"), 1000);
        assertThatThrownBy(() -> ClusterNode.start(deeper, TestGroups.counter("deeper", 3, dir).build(), List.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cluster.storage: cannot create " + file.resolve("x").resolve("h1") + " (" + file.resolve("x")
                        + ": not a directory)");
    }

    /** The front door failed to listen only after the local group had started, and logged its start. */
    @Test
    void shouldRefuseAClientPortInUseBeforeAnythingStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ClusterPeer peer = new ClusterPeer("h1", InetSocketAddress.createUnresolved("127.0.0.1", Loopback.freePort()),
                    InetSocketAddress.createUnresolved("127.0.0.1", taken.getLocalPort()));
            Path storage = dir.resolve("h1");
            ClusterConfig config = Loopback.config("h1", List.of(peer), storage, 1000);
            assertRefusedBeforeAnythingStarts(storage,
                    () -> ClusterNode.start(config, TestGroups.counter("busy", 3, dir).build(), List.of()))
                    .isInstanceOf(ReshException.class)
                    .hasMessageStartingWith("cannot start cluster host h1: cannot listen for clients on 127.0.0.1:"
                            + taken.getLocalPort() + ": ")
                    .hasMessageEndingWith(" (cluster.peers: the client of h1)");
            assertThat(storage).as("no storage created").doesNotExist();
        }
    }

    /**
     * A failure once the local group has started, here a client port taken after the check that it was free (by
     * the group's own start): the host logged "local group started", then the failure.
     */
    @Test
    void shouldNotLogTheLocalGroupsStartWhenTheHostFailsAfterIt() throws Exception {
        ClusterPeer peer = Loopback.peer("h1");
        AtomicReference<ServerSocket> taken = new AtomicReference<>();
        Consumer<GroupEvent> takeTheClientPort = e -> {
            if (e instanceof GroupEvent.ReplicaStarted && taken.get() == null) {
                try {
                    taken.set(new ServerSocket(peer.client().getPort(), 1, InetAddress.getLoopbackAddress()));
                } catch (java.io.IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        };
        try {
            int before = logged.lines().size();
            assertThatThrownBy(() -> ClusterNode.start(Loopback.config("h1", List.of(peer), dir.resolve("h1"), 1000),
                    TestGroups.counter("late", 3, dir).build(), List.of(takeTheClientPort)))
                    .hasMessageStartingWith("cannot listen for clients on " + peer.clientAddress() + ": ");
            assertThat(taken.get()).as("the port taken once the group started").isNotNull();
            assertThat(logged.lines().subList(before, logged.lines().size())).as("lines logged before the failure")
                    .noneMatch(l -> l.contains("started") || l.contains(" up: "));
        } finally {
            if (taken.get() != null) {
                taken.get().close();
            }
        }
    }

    /** A host already running holds its gateway's port too: that it runs is the news, not that the port is taken. */
    @Test
    void shouldSayAHostIsAlreadyRunningRatherThanThatItsGatewayPortIsTaken() throws Exception {
        ClusterConfig config = Loopback.config("h1", Loopback.peers(1), dir.resolve("h1"), 1000);
        start(config);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var gateway = io.resh.gateway.GatewayConfig.parse("""
                    server: {command: "redis-server --port {port} --save ''"}
                    listen: {host: 127.0.0.1, port: %d, protocol: resp}
                    """.formatted(taken.getLocalPort()), "s.yaml");
            assertThatThrownBy(() -> ClusterNode.startGateway(config, gateway, List.of(), false))
                    .hasMessage("cannot start cluster host h1: its storage " + config.storage() + " is in use by another"
                            + " running host (is host h1 already running?)");
        }
    }

    @Test
    void shouldRefuseARaftPortInUseWithoutEndingTheJvm() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ClusterPeer peer = new ClusterPeer("h1", InetSocketAddress.createUnresolved("127.0.0.1", taken.getLocalPort()),
                    InetSocketAddress.createUnresolved("127.0.0.1", Loopback.freePort()));
            ClusterConfig config = Loopback.config("h1", List.of(peer), dir.resolve("h1"), 1000);
            // Before the check, Ratis called System.exit(1) here, which ended this test JVM.
            assertThatThrownBy(() -> ClusterNode.start(config, TestGroups.counter("busy", 3, dir).build(), List.of()))
                    .isInstanceOf(ReshException.class)
                    .hasMessageStartingWith("cannot start cluster host h1: cannot listen for Raft on 127.0.0.1:"
                            + taken.getLocalPort() + ": ");
            assertThat(dir.resolve("h1")).as("no storage created").doesNotExist();
        }
    }
}
