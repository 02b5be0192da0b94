package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.cluster.ClusterHost;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.host.ConfigFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code resh serve} of a cluster host, as the hosts of one shared config file. */
@Tag("e2e")
class ClusterServeTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ClusterNode first;
    private final CompletableFuture<Integer> joined = new CompletableFuture<>();
    private Thread serving;
    private PrintStream stdout;
    /** What {@link #resh} printed on stderr. */
    private final java.io.StringWriter err = new java.io.StringWriter();

    @AfterEach
    void stop() throws Exception {
        if (stdout != null) {
            System.setOut(stdout);
        }
        if (first != null) {
            first.close();
        }
        if (serving != null) {
            serving.interrupt(); // a serve that never returned stops waiting
            serving.join(10_000);
        }
    }

    /**
     * A host removed from the cluster is shut down by Ratis (its local group too), so it serves nothing; its
     * {@code resh serve} used to go on waiting in silence, with its ports and processes, until killed by hand.
     */
    @Test
    void shouldEndTheServeOfAHostThatWasRemovedFromTheCluster() throws Exception {
        ClusterPeer h2 = LoopbackCluster.peer("h2");
        ByteArrayOutputStream printed = startFirstAloneAndServeSecond(h2);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            first.addPeer(h2);
            return true;
        });
        assertThat(first.status().peers()).extracting(ClusterPeer::id).containsExactlyInAnyOrder("h1", "h2");
        // resh serve looks at the membership a few times a second: removed before it looked, h2 never served.
        await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8)
                .contains("resh: cluster host h2 of [h1, h2] serving clients on "));

        first.removePeer("h2");

        assertThat(exitOf(joined)).as("resh serve of the removed host returns").isZero();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("resh: cluster host h2 of [h1, h2] serving clients on " + h2.clientAddress() + "; Raft on ")
                .contains("resh: cluster host h2 was removed from the cluster; stopped");
        first.call(KvRequests.set("k", "still-served"), Duration.ofSeconds(10));
        assertThat(new String(first.call(KvRequests.get("k"), Duration.ofSeconds(10)), StandardCharsets.ISO_8859_1))
                .as("the remaining host serves").contains("still-served");
    }

    /**
     * A host started to join said it was "serving clients" while it answered every client with Ratis's
     * ServerNotReadyException; now it says it waits to be added, and how, until it is added.
     */
    @Test
    void shouldSayThatAJoiningHostWaitsToBeAddedUntilItIsAdded() throws Exception {
        ClusterPeer h2 = LoopbackCluster.peer("h2");
        ByteArrayOutputStream printed = startFirstAloneAndServeSecond(h2);
        String waiting = "resh: cluster host h2 is waiting to be added to the cluster (it is not a member, so it"
                + " serves no clients yet); to add it, run: resh cluster add --id h2 --address " + h2.raftAddress()
                + " --client " + h2.clientAddress() + " --url <a member's admin URL>; log in " + dir.resolve("h2");
        await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8).contains(waiting));
        // Said before Raft and the replicas start, which take a while: before, nothing was printed until then.
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().findFirst())
                .hasValue("resh: starting cluster host h2 from " + dir.resolve("kv-cluster.yaml"));
        try (ReshClient client = ReshClient.connect(List.of(new InetSocketAddress(h2.client().getHostString(),
                h2.client().getPort())))) {
            assertThatThrownBy(() -> client.call(KvRequests.get("k"), Duration.ofSeconds(10)))
                    .isInstanceOf(ReshRemoteException.class)
                    .hasMessageStartingWith("unavailable: host h2 is not a member of the cluster (not added yet,");
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("serving clients");

        first.addPeer(h2);

        String servingLine = "resh: cluster host h2 of [h1, h2] serving clients on " + h2.clientAddress() + "; Raft on "
                + h2.raftAddress() + "; log in " + dir.resolve("h2");
        await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8).contains(servingLine));
        first.removePeer("h2"); // ends its resh serve
        assertThat(exitOf(joined)).isZero();
    }

    /**
     * The serving line named the hosts of cluster.peers as the cluster's, though hosts added or removed since change
     * the members: here the file names a third host that was never added.
     */
    @Test
    void shouldNameTheMembersOfTheRaftConfigurationNotOfTheFileWhenItServes() throws Exception {
        ClusterPeer h2 = LoopbackCluster.peer("h2");
        ClusterPeer h3 = LoopbackCluster.peer("h3");
        Path yaml = twoHosts(LoopbackCluster.peer("h1"), h2);
        Files.writeString(yaml, Files.readString(yaml)
                + "    - {id: h3, address: " + h3.raftAddress() + ", client: " + h3.clientAddress() + "}\n");
        JsonNode tree = ConfigFile.readTree(yaml);
        JsonNode alone = tree.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) alone.get("cluster").get("peers")).remove(2);
        startFirstAlone(yaml, alone);
        ByteArrayOutputStream printed = serveSecond(yaml, tree);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            first.addPeer(h2);
            return true;
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8)
                .contains("resh: cluster host h2 of [h1, h2] serving clients on " + h2.clientAddress() + "; Raft on "));
        first.removePeer("h2"); // ends its resh serve
        assertThat(exitOf(joined)).isZero();
    }

    /** h1 alone as the cluster, in this JVM, and {@code resh serve} of {@code h2} joining it; what it prints. */
    private ByteArrayOutputStream startFirstAloneAndServeSecond(ClusterPeer h2) throws IOException {
        Path yaml = twoHosts(LoopbackCluster.peer("h1"), h2);
        JsonNode tree = ConfigFile.readTree(yaml);
        startFirstAlone(yaml, tree);
        return serveSecond(yaml, tree);
    }

    /** Runs {@code resh serve} of h2 with {@code --join} on a thread of its own; what it prints goes to the stream returned. */
    private ByteArrayOutputStream serveSecond(Path yaml, JsonNode tree) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        serving = new Thread(() -> {
            try {
                joined.complete(ClusterServe.run(yaml, tree, "h2", true, null, -1));
            } catch (InterruptedException | RuntimeException e) {
                joined.completeExceptionally(e);
            }
        }, "serve-h2");
        serving.start();
        return printed;
    }

    /** {@code group: kvc}, h1 and h2 as the peers, each host's storage in {@code dir/ID}. */
    private Path twoHosts(ClusterPeer h1, ClusterPeer h2) throws IOException {
        Path yaml = dir.resolve("kv-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: kvc", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "cluster:", "  storage: " + dir.resolve("{id}"),
                "  election: {min: 400ms, max: 800ms}", "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}",
                "    - {id: h2, address: " + h2.raftAddress() + ", client: " + h2.clientAddress() + "}", ""));
        return yaml;
    }

    /** {@code group: kvc} with h1 its only peer, its storage in {@code dir/h1}. */
    private Path oneHost(ClusterPeer h1) throws IOException {
        Path yaml = dir.resolve("kv-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: kvc", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", ""));
        return yaml;
    }

    /** Runs resh in this JVM, as its command line does, what it prints on stderr going to {@link #err}. */
    private int resh(String... args) {
        picocli.CommandLine cl = Resh.commandLine();
        cl.setErr(new java.io.PrintWriter(err, true));
        return cl.execute(args);
    }

    /** h1 alone is the cluster (a one-member configuration); h2 joins it. */
    private void startFirstAlone(Path yaml, JsonNode tree) {
        JsonNode alone = tree.deepCopy();
        ((com.fasterxml.jackson.databind.node.ArrayNode) alone.get("cluster").get("peers")).remove(1);
        first = ClusterHost.start(yaml, alone, "h1", false, List.of());
    }

    /**
     * Renaming the group over an existing storage made Ratis start a second, empty group beside the first, and
     * from then on the host failed to start with "ILLEGAL TRANSITION ... STARTING -> STARTING".
     */
    @Test
    void shouldRefuseInOneLineToServeAStorageOfAnotherGroup() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = dir.resolve("kv-cluster.yaml");
        String cluster = String.join("\n", "replicas: 3", "service:", "  class: " + KvStore.class.getName(), "cluster:",
                "  storage: " + dir.resolve("{id}"), "  election: {min: 400ms, max: 800ms}", "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", "");
        Files.writeString(yaml, "group: kvc\n" + cluster);
        first = ClusterHost.start(yaml, ConfigFile.readTree(yaml), "h1", false, List.of());
        first.close();
        first = null;
        Files.writeString(yaml, "group: renamed\n" + cluster);

        assertThat(resh("serve", yaml.toString(), "--id", "h1", "--admin-port", "-1")).isEqualTo(2);

        Path storage = dir.resolve("h1");
        assertThat(err.toString()).isEqualTo("resh serve: cannot start cluster host h1: its storage " + storage + " holds the"
                + " Raft log of cluster 'kvc', but its config names cluster 'renamed' (cluster.name, or group: when"
                + " there is no cluster.name); put the old name back, or, if that log is not needed, point"
                + " cluster.storage at an empty directory or remove " + storage.resolve(
                        java.util.UUID.nameUUIDFromBytes("resh-cluster:kvc".getBytes(StandardCharsets.UTF_8)).toString())
                + System.lineSeparator());
    }

    /** A clash of --port with a cluster address was blamed on listen.port, which the file may not even set. */
    @Test
    void shouldNameThePortOptionWhenTheGatewayPortItGaveIsAClusterAddress() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        ClusterPeer h2 = LoopbackCluster.peer("h2");
        Path yaml = dir.resolve("redis-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: redis", "replicas: 3",
                "server: {command: 'redis-server --port {port} --bind 127.0.0.1'}", "listen: {protocol: resp}",
                "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}",
                "    - {id: h2, address: " + h2.raftAddress() + ", client: " + h2.clientAddress() + "}", ""));
        int port = h2.address().getPort();

        assertThat(resh("serve", yaml.toString(), "--id", "h1", "--port", Integer.toString(port),
                "--admin-port", "-1")).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("resh serve: --port: the gateway's 127.0.0.1:" + port + " is also h2's address"
                + " (cluster.peers[1].address in redis-cluster.yaml); the gateway needs a port of its own"
                + System.lineSeparator());
        assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
    }

    /**
     * {@code checkpoint:} was refused in a cluster config; each host now checkpoints its own servers and cuts its own
     * replay log (ClusterGatewayCheckpointTest rebuilds servers from such checkpoints).
     */
    @Test
    void shouldStartAGatewayHostThatCheckpointsItsOwnServers() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = dir.resolve("redis-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: redis", "replicas: 3",
                "server: {command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --enable-debug-command local'}",
                "listen: {protocol: resp, port: 0}", "workDir: " + dir.resolve("gw"),
                "checkpoint: {every: 1000, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb}",
                "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", ""));

        first = ClusterHost.start(yaml, ConfigFile.readTree(yaml), "h1", false, List.of());

        assertThat(first.gateway().config().checkpoint().every()).isEqualTo(1000);
        assertThat(first.status().gateway().checkpoints()).isTrue();
    }

    /** --port was ignored without a word by a host of Java replicas, which serves on its cluster.peers client address. */
    @Test
    void shouldRefuseThePortOptionForAHostOfJavaReplicas() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = dir.resolve("kv-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: kv", "replicas: 3", "service: {class: " + KvStore.class.getName() + "}",
                "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", ""));

        assertThat(resh("serve", yaml.toString(), "--id", "h1", "--port", "9999", "--admin-port", "-1")).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("resh serve: --port: is for a gateway; the clients of a cluster host of Java"
                + " replicas use the client address of its entry in cluster.peers of kv-cluster.yaml: change it there"
                + System.lineSeparator());
        assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
    }

    /**
     * The admin API starts last: a taken --admin-port failed after the host had started and logged that it was up,
     * and its storage was left behind.
     */
    @Test
    void shouldRefuseATakenAdminPortBeforeTheHostStarts() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = oneHost(h1);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            assertThat(resh("serve", yaml.toString(), "--id", "h1", "--admin-port", Integer.toString(port)))
                    .isEqualTo(2);

            assertThat(err.toString()).startsWith("resh serve: admin: cannot listen on 127.0.0.1:" + port + ": ")
                    .endsWith("; give --admin-port another port (0: any free one, -1: no admin API)"
                            + System.lineSeparator());
        }
        assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
    }

    /**
     * The host's own Raft port is free until the host binds it, so an --admin-port equal to it passed the check above:
     * the host started, logged that it was up, and only then failed with a bare "Address already in use".
     */
    @Test
    void shouldRefuseAnAdminPortThatIsTheHostsOwnRaftPortBeforeItStarts() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = oneHost(h1);
        int port = h1.address().getPort();

        assertThat(resh("serve", yaml.toString(), "--id", "h1", "--admin-port", Integer.toString(port))).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("resh serve: --admin-port: 127.0.0.1:" + port + " is also h1's address"
                + " (cluster.peers[0].address in kv-cluster.yaml); the admin API needs a port of its own (0: any free"
                + " one, -1: no admin API)" + System.lineSeparator());
        assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
    }

    /** The gateway binds its port only once the host starts, too: the same port for both failed after the start. */
    @Test
    void shouldRefuseAnAdminPortThatIsTheGatewaysPortBeforeTheHostStarts() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = dir.resolve("redis-cluster.yaml");
        Files.writeString(yaml, String.join("\n", "group: redis", "replicas: 3",
                "server: {command: 'redis-server --port {port} --bind 127.0.0.1'}", "listen: {protocol: resp}",
                "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", ""));
        String port = Integer.toString(LoopbackCluster.peer("free").address().getPort());

        assertThat(resh("serve", yaml.toString(), "--id", "h1", "--port", port, "--admin-port", port)).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("resh serve: --admin-port: 127.0.0.1:" + port + " is also the gateway's"
                + " port (--port); the admin API needs a port of its own (0: any free one, -1: no admin API)"
                + System.lineSeparator());
        assertThat(dir.resolve("h1")).as("nothing started").doesNotExist();
    }

    /**
     * "resh: starting cluster host h1 from ..." came before the local group's own checks, which run inside Raft's
     * start: a misspelt service class or a server program that is not installed was said to start, then refused,
     * with the host's storage made. As a plain resh serve, the line comes only once those checks passed.
     */
    @Test
    void shouldSayThatTheHostStartsOnlyOnceItsLocalGroupsChecksPassed() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        String peers = String.join("\n", "cluster:", "  storage: " + dir.resolve("{id}"), "  peers:",
                "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", "");
        Path typo = Files.writeString(dir.resolve("typo-cluster.yaml"), String.join("\n", "group: typo", "replicas: 3",
                "service: {class: io.example.KvStor}", peers));
        Path noServer = Files.writeString(dir.resolve("noserver-cluster.yaml"), String.join("\n", "group: noserver",
                "replicas: 3", "server: {command: 'no-such-server --port {port}'}", "listen: {protocol: line}", peers));
        String[][] cases = {
            {typo.toString(), "resh serve: typo-cluster.yaml: service.class: no class io.example.KvStor on the replicas'"
                    + " class path"},
            {noServer.toString(), "resh serve: noserver-cluster.yaml: server.command: "},
        };
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        for (String[] c : cases) {
            err.getBuffer().setLength(0);

            assertThat(resh("serve", c[0], "--id", "h1", "--admin-port", "-1")).as(c[0]).isEqualTo(2);

            assertThat(err.toString().strip()).as(c[0]).startsWith(c[1]).doesNotContain("\n");
            assertThat(printed.toString(StandardCharsets.UTF_8)).as(c[0]).doesNotContain("starting");
            assertThat(dir.resolve("h1")).as("%s: nothing started", c[0]).doesNotExist();
        }
    }

    /** A host already running holds its admin port too: that it runs is the news, not that the port is taken. */
    @Test
    void shouldSayAHostIsAlreadyRunningRatherThanThatItsAdminPortIsTaken() throws Exception {
        ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = oneHost(h1);
        first = ClusterHost.start(yaml, ConfigFile.readTree(yaml), "h1", false, List.of());
        try (java.net.ServerSocket admin = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(resh("serve", yaml.toString(), "--id", "h1", "--admin-port",
                    Integer.toString(admin.getLocalPort()))).isEqualTo(2);
        }

        assertThat(err.toString()).isEqualTo("resh serve: cannot start cluster host h1: its storage " + dir.resolve("h1")
                + " is in use by another running host (is host h1 already running?)" + System.lineSeparator());
    }

    private static int exitOf(CompletableFuture<Integer> serve) throws InterruptedException, ExecutionException {
        try {
            return serve.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("resh serve of the removed host still runs 30 s after its removal", e);
        }
    }
}
