package io.resh.gateway.testing;

import static org.awaitility.Awaitility.await;

import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.server.Directories;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real gateway with real servers for an end-to-end test, and everything the test opens against it.
 * Every such test needs the same things, and a leaked server holds its port and its memory for the
 * rest of the run, so they live here once:
 * <ul>
 * <li>a directory of the test's own ({@link #dir()}) that holds the gateway's work directory; it is
 *     deleted after a test that passed and kept (its path printed) after one that failed, for the
 *     replica logs, as {@code @TempDir(cleanup = ON_SUCCESS)} does;
 * <li>a gateway started from YAML ({@link #start(String)}), its events recorded from then on;
 * <li>when a test fails, every replica log and the events printed, right after the test method and
 *     before anything is closed;
 * <li>after the test, passed or failed: the client threads stopped, the client sockets closed, then
 *     the gateway closed, which kills every server it started.
 * </ul>
 * Register it in an instance field with {@code @RegisterExtension}; one gateway a test. A class that
 * starts one gateway for all its tests in {@code @BeforeAll} registers it in a static field: a
 * gateway started outside a test is closed after the class.
 */
public final class GatewayExtension
        implements BeforeAllCallback, BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback, AfterAllCallback {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final int CLIENT_TIMEOUT_MILLIS = 10_000;

    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private final List<Socket> clients = Collections.synchronizedList(new ArrayList<>());
    private ExecutorService clientThreads;
    private boolean registeredForClass;
    private boolean inTest;
    /** Whether the directory and gateway were made outside a test, so belong to the class. */
    private boolean classScoped;
    private boolean failed;
    private Path dir;
    private Gateway gateway;

    /** The test's own directory (the class's, for a gateway started in {@code @BeforeAll}). */
    public Path dir() {
        if (dir == null) {
            if (!inTest && !registeredForClass) {
                throw new IllegalStateException("outside a test the GatewayExtension must be registered in a static field");
            }
            try {
                dir = Files.createTempDirectory("resh-gateway-test-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a test directory: " + e.getMessage(), e);
            }
            classScoped = !inTest;
        }
        return dir;
    }

    /** Starts a gateway from YAML, working in {@code dir()/work}. */
    public Gateway start(String yaml) {
        return start(config(yaml));
    }

    /**
     * Starts a gateway as configured (without a work directory the gateway makes and deletes its own).
     * On a heavily loaded machine a replica server occasionally refuses its first backend connection
     * while the group starts (seen once in many runs, cause not yet understood). The tests are about
     * what happens after a start, so a failed start is retried once; start failures themselves are
     * tested with {@link #startOnce(String)}.
     */
    public Gateway start(GatewayConfig config) {
        try {
            return watch(startTracked(config));
        } catch (ReshException first) {
            System.err.println("gateway test: first start failed, retrying once: " + first.getMessage());
            return watch(startTracked(config));
        }
    }

    /** Starts a gateway from YAML without the retry of {@link #start(GatewayConfig)}: for tests of start-up failures. */
    public Gateway startOnce(String yaml) {
        return watch(startTracked(config(yaml)));
    }

    private GatewayConfig config(String yaml) {
        return GatewayConfig.parse(yaml, "test.yaml").withWorkDir(dir().resolve("work"));
    }

    private Gateway startTracked(GatewayConfig config) {
        if (gateway != null) {
            throw new IllegalStateException("one gateway a test: " + gateway.config().group() + " is already started");
        }
        dir();
        gateway = Gateway.start(config);
        return gateway;
    }

    private Gateway watch(Gateway started) {
        started.addListener(events::add);
        return started;
    }

    /** A client connection to the gateway, with 10 s to connect and to read; closed after the test. */
    public Socket connect() throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), CLIENT_TIMEOUT_MILLIS);
        s.setSoTimeout(CLIENT_TIMEOUT_MILLIS);
        return s;
    }

    /**
     * Threads for clients that run beside the test. After the test they are interrupted, the client
     * sockets closed (a thread blocked writing to one can't be interrupted otherwise), and they get
     * 10 s to end.
     */
    public ExecutorService clientThreads() {
        if (clientThreads == null) {
            clientThreads = Executors.newCachedThreadPool();
        }
        return clientThreads;
    }

    private Gateway running() {
        return Objects.requireNonNull(gateway, "no gateway started");
    }

    public int port() {
        return running().port();
    }

    public GatewayStatus status() {
        return running().status();
    }

    public <T extends GroupEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits (bounded) for the first event of a type that matches, and returns it. */
    public <T extends GroupEvent> T awaitEvent(Class<T> type, Predicate<T> matching) {
        return await().atMost(PATIENCE).until(() -> events(type).stream().filter(matching).findFirst().orElse(null),
                Objects::nonNull);
    }

    /** Waits (bounded) until every replica is live, i.e. votes. */
    public void awaitAllLive() {
        await().atMost(PATIENCE).until(() -> status().liveReplicas() == status().replicas().size());
    }

    /** Waits (bounded) until replica {@code replica} recovered and every replica votes again. */
    public GroupEvent.RecoveryCompleted awaitRecovered(int replica) {
        GroupEvent.RecoveryCompleted r = awaitEvent(GroupEvent.RecoveryCompleted.class, e -> e.replica() == replica);
        awaitAllLive();
        return r;
    }

    /** Waits (bounded) until every replica has answered every request sent so far. */
    public void awaitQuiet() {
        await().atMost(PATIENCE).until(() -> status().inFlight() == 0);
    }

    public long pid(int replica) {
        return status().replicas().get(replica).pid();
    }

    public int replicaPort(int replica) {
        return status().replicas().get(replica).port();
    }

    /** Every replica's log and the events, for a failed test's output. */
    private String logs() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(running().workDir().resolve("logs"))) {
            for (Path p : files.sorted().toList()) {
                sb.append("----- ").append(p.getFileName()).append('\n').append(Files.readString(p)).append('\n');
            }
        } catch (IOException e) {
            sb.append("(no logs: ").append(e.getMessage()).append(")");
        }
        sb.append("----- events\n");
        events.forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        registeredForClass = true;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inTest = true;
    }

    /** Runs right after the test method: before {@code @AfterEach} and this extension close anything. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            failed = true;
            if (gateway != null) {
                System.out.println("===== logs of failed test " + context.getDisplayName() + "\n" + logs());
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        inTest = false;
        failed |= context.getExecutionException().isPresent();
        try {
            closeClients();
        } finally {
            if (!classScoped) {
                closeGatewayAndDir();
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        failed |= context.getExecutionException().isPresent();
        closeGatewayAndDir();
    }

    private void closeClients() throws Exception {
        ExecutorService threads = clientThreads;
        clientThreads = null;
        if (threads != null) {
            threads.shutdownNow();
        }
        synchronized (clients) {
            for (Socket s : clients) {
                s.close();
            }
            clients.clear();
        }
        if (threads != null) {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Fails the test if a process still works in {@code dir} once the gateway closed: a server the gateway
     * did not kill (a shim's child, say) would run on after the test, holding its port. Kills it either way.
     */
    private static void killStrays(Path dir) {
        try {
            // A killed server is reaped a moment after close() returns.
            await().atMost(Duration.ofSeconds(10)).until(() -> strays(dir).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<ProcessHandle> strays = strays(dir);
            List<String> described = strays.stream().map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).toList();
            strays.forEach(ProcessHandle::destroyForcibly);
            throw new AssertionError("processes still running in " + dir + " after the gateway closed: " + described);
        }
    }

    private static List<ProcessHandle> strays(Path dir) {
        return ProcessHandle.allProcesses().filter(p -> workingIn(p, dir)).toList();
    }

    private static boolean workingIn(ProcessHandle p, Path dir) {
        try {
            return p.isAlive() && Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).startsWith(dir);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // gone, or not ours to look at
        }
    }

    private void closeGatewayAndDir() throws IOException {
        Gateway closing = gateway;
        Path leftDir = dir;
        boolean keep = failed;
        gateway = null;
        dir = null;
        failed = false;
        events.clear();
        if (closing != null) {
            closing.close();
        }
        if (leftDir != null) {
            killStrays(leftDir);
        }
        if (leftDir != null && keep) {
            System.out.println("kept the directory of a failed test: " + leftDir);
        } else if (leftDir != null) {
            Directories.delete(leftDir);
        }
        if (closing != null && closing.config().workDir() == null && !keep) {
            Directories.delete(closing.workDir()); // the gateway's own, which it keeps after a fault
        }
    }
}
