package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.config.GroupConfig;
import io.resh.host.testing.EchoService;
import io.resh.host.testing.TestGroups;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group loop writes a batch into a replica's pipe itself only while the pipe provably has room
 * ({@link ReplicaProcess#inlineBytes(int)}): the bound must hold for any sizes of writes, and it comes from
 * the capacity the replica reports in its HELLO.
 */
class InlineWritesTest {
    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();
    private ReplicaProcess replica;

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.kill();
        }
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldBoundInlineWritesByTheCapacityOrByOnePageWhenItIsUnknown() {
        assertThat(ReplicaProcess.inlineBytes(0)).isEqualTo(ReplicaProcess.INLINE_BYTES);
        assertThat(ReplicaProcess.inlineBytes(1 << 20)).isEqualTo(((1 << 20) - 3 * 4096) / 2);
        assertThat(ReplicaProcess.inlineBytes(64 * 1024)).isEqualTo((64 * 1024 - 3 * 4096) / 2);
        // A pipe the kernel gave two pages (a user over its pipe quota) takes nothing from the loop.
        assertThat(ReplicaProcess.inlineBytes(8192)).isZero();
    }

    @Test
    void shouldBelieveNoLargerCapacityThanTheHostAskedFor() {
        // A flipped bit in a HELLO must not let the loop write more than the pipe holds.
        assertThat(ReplicaProcess.inlineBytes(1 << 30, 1 << 20)).isEqualTo(ReplicaProcess.inlineBytes(1 << 20));
        assertThat(ReplicaProcess.inlineBytes(1 << 20, 0)).isEqualTo(ReplicaProcess.INLINE_BYTES);
        assertThat(ReplicaProcess.inlineBytes(8192, 1 << 20)).isZero();
    }

    @Test
    void shouldReadTheCapacityTheLauncherLeftInTheEnvironment() {
        assertThat(Frame.Hello.requestPipeBytes(Map.of(Frame.Hello.PIPE_BYTES_VARIABLE, "1048576"))).isEqualTo(1 << 20);
        assertThat(Frame.Hello.requestPipeBytes(Map.of())).isZero();
        assertThat(Frame.Hello.requestPipeBytes(Map.of(Frame.Hello.PIPE_BYTES_VARIABLE, "lots"))).isZero();
        assertThat(Frame.Hello.requestPipeBytes(Map.of(Frame.Hello.PIPE_BYTES_VARIABLE, "-1"))).isZero();
    }

    /**
     * The worst case for a pipe's pages: a write whose tail does not fit in the rest of the last page starts a
     * new one, so small writes between writes of almost a page leave every other page nearly empty. Written to
     * a pipe nobody reads, everything within the bound must go in without blocking.
     */
    @Test
    void shouldNeverBlockWithinTheBoundWhateverTheSizesOfTheWrites() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null, "needs perl");
        int capacity = 256 << 10;
        List<String> cmd = new ArrayList<>(ReplicaPipes.prefix(perl, capacity, 1 << 20));
        cmd.addAll(List.of(perl, "-e", "sleep 60")); // never reads its stdin
        Process p = new ProcessBuilder(cmd).start();
        started.add(p);
        int bound = ReplicaProcess.inlineBytes(capacity);
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            try {
                OutputStream pipe = p.getOutputStream();
                int[] sizes = {2, 4095};
                for (int i = 0; written.get() + sizes[i % 2] <= bound; i++) {
                    pipe.write(new byte[sizes[i % 2]]);
                    pipe.flush(); // one write(2) each
                    written.addAndGet(sizes[i % 2]);
                }
            } catch (java.io.IOException e) {
                written.set(-1);
            }
        });
        writer.setDaemon(true);
        writer.start();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(writer.isAlive())
                .as("the writer blocked after %d of %d bytes", written.get(), bound).isFalse());
        assertThat(written.get()).isGreaterThan(bound - 4097L);
    }

    /**
     * A real replica reports its request pipe's capacity, and once stopped (SIGSTOP) it reads nothing: batches
     * sent to it still return at once, written by the caller up to the bound and queued for the writer thread
     * after that.
     */
    @Test
    @Tag("e2e")
    void shouldLearnTheBoundFromTheHelloAndNeverBlockOnAStoppedReplica() throws Exception {
        assumeTrue(ReplicaPipes.bytes() > 0, "needs perl");
        GroupConfig config = TestGroups.of("inline", 1, EchoService.class.getName(), dir).build();
        ReplicaLauncher launcher = new ReplicaLauncher(config, dir.resolve("work"));
        FrameCodec codec = new FrameCodec(config.maxRequestBytes(), config.maxSnapshotBytes());
        BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        replica = new ReplicaProcess(0, 1, -1, path -> launcher.start(0, config.specs().get(0), -1, false, path),
                codec, inbox::add, "inline", List.of(dir), 1 << 20, new LongAdder(), new RecentReplies());
        Frame.Hello hello = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (hello == null && System.nanoTime() < deadline) {
            Object m = inbox.poll(1, TimeUnit.SECONDS);
            if (m instanceof ReplicaProcess.Inbound in) {
                hello = (Frame.Hello) Arrays.stream(in.frames()).filter(Frame.Hello.class::isInstance).findFirst().orElse(null);
            }
        }
        assertThat(hello).as("hello").isNotNull();
        assertThat(hello.requestPipeBytes()).isEqualTo(ReplicaPipes.bytes());
        assertThat(replica.inlineBytes()).isEqualTo(ReplicaProcess.inlineBytes(ReplicaPipes.bytes()));

        ProcessPause.pause(replica.pid());
        byte[] payload = new byte[60];
        Thread loop = new Thread(() -> {
            // Twice the bound in batches of 16 small requests, as a loaded group loop sends them.
            long seq = 0;
            for (long sent = 0; sent < 2L * replica.inlineBytes(); ) {
                List<Frame> batch = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    Frame.Request r = new Frame.Request(++seq, 0, seq, payload);
                    batch.add(r);
                    sent += FrameCodec.encodedBytes(r);
                }
                replica.send(batch);
            }
        });
        loop.setDaemon(true);
        loop.start();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(loop.isAlive())
                .as("send blocked on a stopped replica").isFalse());
        ProcessPause.resume(replica.pid());
    }
}
