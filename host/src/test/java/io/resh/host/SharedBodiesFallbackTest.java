package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.config.GroupConfig;
import io.resh.host.testing.EchoService;
import io.resh.host.testing.TestGroups;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import io.resh.replica.SharedBodies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the shared body file cannot be had (docs/IPC.md, "Large bodies"), large bodies go through the pipes
 * and the replica answers exactly as before: a directory that cannot take the file, no directory that can,
 * and a replica that cannot map the file it was given. One real replica process each, driven frame by frame.
 */
@Tag("e2e")
class SharedBodiesFallbackTest {
    /** Over the size from which a body takes the file where there is one. */
    private static final int BODY = 4 * SharedBodies.MIN_BODY_BYTES;

    @TempDir
    Path dir;

    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Queue<Frame> received = new ArrayDeque<>();
    private final LongAdder sharedBodies = new LongAdder();
    private ReplicaProcess replica;

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.kill();
        }
    }

    @Test
    void shouldCreateTheFileInTheNextDirectoryWhenTheFirstCannotTakeIt() throws Exception {
        start(List.of(unusable(), dir), UnaryOperator.identity());

        assertThat(echo(1)).as("request and reply through the file").isEqualTo(2);
    }

    @Test
    void shouldSendLargeBodiesThroughThePipesWhenNoDirectoryTakesTheFile() throws Exception {
        start(List.of(unusable()), UnaryOperator.identity());

        assertThat(echo(1)).as("no body through a file").isZero();
    }

    @Test
    void shouldSendLargeBodiesThroughThePipesToAReplicaThatCannotMapItsFile() throws Exception {
        Path elsewhere = dir.resolve("not-the-file");
        start(List.of(dir), given -> given == null ? null : elsewhere.toString());

        assertThat(echo(1)).as("no body through a file").isZero();
        assertThat(Files.readString(dir.resolve("work").resolve("replica-0.log")))
                .contains("cannot map the shared body file " + elsewhere);
    }

    @Test
    void shouldSendWhatDoesNotFitInTheRingThroughThePipesInOrder() throws Exception {
        start(List.of(dir), UnaryOperator.identity(), BODY + BODY / 2);
        List<byte[]> requests = new ArrayList<>();
        List<Frame> batch = new ArrayList<>();
        for (long seq = 1; seq <= 4; seq++) {
            byte[] request = new byte[BODY];
            new SplittableRandom(seq).nextBytes(request);
            requests.add(request);
            batch.add(new Frame.Request(seq, 0, seq, request));
        }
        replica.send(batch); // one batch: the ring takes the first body, the others find it full

        for (long seq = 1; seq <= 4; seq++) {
            Frame.Reply reply = next(Frame.Reply.class);
            assertThat(reply.sequence()).isEqualTo(seq);
            assertThat(Arrays.copyOfRange(reply.body(), 1, reply.body().length)).isEqualTo(requests.get((int) seq - 1));
        }
        assertThat(sharedBodies.sum()).as("some bodies through the file, not all eight").isBetween(1L, 7L);
    }

    @Test
    void shouldDeleteTheFileOfAKilledHostBeforeCreatingItsOwn() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Path leftBehind = Files.createTempFile(dir, ".resh-bodies-fallback-0.1.h" + gone.pid() + "-", "");

        start(List.of(dir), UnaryOperator.identity());

        assertThat(leftBehind).as("its host no longer runs").doesNotExist();
        assertThat(echo(1)).as("request and reply through this host's own file").isEqualTo(2);
    }

    /** A directory that cannot be created (its parent is a file), as a full or read-only one cannot take the file. */
    private Path unusable() throws IOException {
        return Files.createFile(dir.resolve("a-file")).resolve("bodies");
    }

    private void start(List<Path> dirs, UnaryOperator<String> told) throws Exception {
        start(dirs, told, 1 << 20);
    }

    /**
     * Starts one echo replica whose shared file (rings of {@code ringBytes}) may go into {@code dirs}, telling it
     * the path {@code told} makes of the file's.
     */
    private void start(List<Path> dirs, UnaryOperator<String> told, int ringBytes) throws Exception {
        GroupConfig config = TestGroups.of("fallback", 1, EchoService.class.getName(), dir).build();
        ReplicaLauncher launcher = new ReplicaLauncher(config, dir.resolve("work"));
        FrameCodec codec = new FrameCodec(config.maxRequestBytes(), config.maxSnapshotBytes());
        replica = new ReplicaProcess(0, 1, -1, path -> launcher.start(0, config.specs().get(0), -1, false, told.apply(path)),
                codec, inbox::add, "fallback", dirs, ringBytes, sharedBodies, new RecentReplies());
        assertThat(next(Frame.Hello.class)).isNotNull();
    }

    /**
     * Sends a large request numbered {@code seq} and checks that the reply echoes it.
     *
     * @return how many bodies went through the shared file, both ways
     */
    private long echo(long seq) throws Exception {
        byte[] request = new byte[BODY];
        new SplittableRandom(seq).nextBytes(request);
        replica.send(List.of(new Frame.Request(seq, 0, seq, request)));
        Frame.Reply reply = next(Frame.Reply.class);
        assertThat(reply.sequence()).isEqualTo(seq);
        assertThat(reply.body()[0]).isEqualTo(FrameCodec.STATUS_OK);
        assertThat(Arrays.copyOfRange(reply.body(), 1, reply.body().length)).isEqualTo(request);
        return sharedBodies.sum();
    }

    /**
     * The next frame of type {@code type} the replica sent (others skipped), failing on a broken channel. One pipe
     * read may bring several replies in one message: the ones after the first wait in {@link #received}.
     */
    private <T extends Frame> T next(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            while (!received.isEmpty()) {
                Frame f = received.poll();
                if (type.isInstance(f)) {
                    return type.cast(f);
                }
            }
            Object m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (m instanceof ReplicaProcess.Broken b) {
                throw new AssertionError("replica broke: " + b.kind() + " " + b.evidence());
            }
            if (m instanceof ReplicaProcess.StartFailed f) {
                throw new AssertionError("replica did not start: " + f.reason());
            }
            if (m instanceof ReplicaProcess.Inbound in) {
                received.addAll(Arrays.asList(in.frames()));
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " within 30 s");
    }
}
