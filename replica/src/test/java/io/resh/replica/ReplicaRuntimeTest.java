package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The replica loop driven in memory: the host's frames in, the replica's frames out. A RESTORE snapshot is
 * streamed through a file and reaches the service only if it hashes to the digest the frame names.
 */
class ReplicaRuntimeTest {
    private final FrameCodec codec = new FrameCodec(1 << 20, 1 << 26);

    /** Holds one byte array; a request is answered with the state's length and its first byte. */
    static class Blob implements ReplicatedService {
        byte[] state = "initial".getBytes(StandardCharsets.UTF_8);
        int restores;

        @Override
        public byte[] execute(byte[] request, ExecutionContext ctx) {
            return (state.length + ":" + (char) state[0]).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void snapshot(OutputStream out) throws IOException {
            out.write(state);
        }

        @Override
        public void restore(InputStream in) throws IOException {
            state = in.readAllBytes();
            restores++;
        }
    }

    private List<Frame> run(ReplicatedService service, List<Frame> input) throws IOException {
        ByteArrayOutputStream hostToReplica = new ByteArrayOutputStream();
        DataOutputStream w = new DataOutputStream(hostToReplica);
        for (Frame f : input) {
            codec.write(w, f);
        }
        codec.write(w, new Frame.Shutdown());
        w.flush();
        ByteArrayOutputStream replicaToHost = new ByteArrayOutputStream();
        new ReplicaRuntime(service, 0, codec, new DataInputStream(new ByteArrayInputStream(hostToReplica.toByteArray())),
                new DataOutputStream(replicaToHost), 0, null).run();
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(replicaToHost.toByteArray()));
        List<Frame> out = new ArrayList<>();
        Frame f;
        while ((f = codec.read(in)) != null) {
            out.add(f);
        }
        return out;
    }

    private static Frame.Request request(long seq) {
        return new Frame.Request(seq, 0, 0, new byte[] {1});
    }

    /**
     * A byzantine reply to an empty value changed the status byte instead (an ok reply became an error), and a flipped
     * bit of it was said to be bit 77 of a value that had none: both now change the value, a status kept, and say so.
     */
    @Test
    void shouldGiveAnEmptyValueAWrongByteAndKeepItsStatus() throws IOException {
        Blob empty = new Blob() {
            @Override
            public byte[] execute(byte[] request, ExecutionContext ctx) {
                return new byte[0];
            }
        };
        for (io.resh.core.InjectedFault fault : List.of(io.resh.core.InjectedFault.BYZANTINE,
                io.resh.core.InjectedFault.REPLY_CORRUPTION)) {
            List<Frame> out = run(empty, List.of(new Frame.Inject(fault.ordinal(), 77), request(1)));

            byte[] body = out.stream().filter(f -> f instanceof Frame.Reply).map(f -> ((Frame.Reply) f).body())
                    .findFirst().orElseThrow();
            assertThat(body).as(fault.name()).containsExactly(FrameCodec.STATUS_OK, 1);
            if (fault == io.resh.core.InjectedFault.REPLY_CORRUPTION) {
                Frame.Injected injected = out.stream().filter(f -> f instanceof Frame.Injected).map(f -> (Frame.Injected) f)
                        .findFirst().orElseThrow();
                assertThat(injected.detail()).isEqualTo("next reply: bit 77 of the value flipped (counted modulo the"
                        + " value's bits; an empty value becomes the one byte 0x01)");
            }
        }
    }

    /**
     * Before: a request whose service set its thread's interrupt status left it set for the next request, which a
     * replica restored from a later checkpoint runs without: a blocking call failed in one and not in the other.
     */
    @Test
    void shouldNotCarryAnInterruptTheServiceLeftSetIntoTheNextRequest() throws IOException {
        Blob interrupting = new Blob() {
            @Override
            public byte[] execute(byte[] request, ExecutionContext ctx) {
                if (ctx.sequence() == 1) {
                    Thread.currentThread().interrupt();
                }
                return Boolean.toString(Thread.currentThread().isInterrupted()).getBytes(StandardCharsets.UTF_8);
            }
        };
        try {
            List<Frame> out = run(interrupting, List.of(request(1), request(2)));

            assertThat(reply(out, 1)).isEqualTo("true");
            assertThat(reply(out, 2)).isEqualTo("false");
        } finally {
            Thread.interrupted(); // not this test thread's to keep
        }
    }

    private static String reply(List<Frame> frames, long seq) {
        for (Frame f : frames) {
            if (f instanceof Frame.Reply r && r.sequence() == seq) {
                return new String(r.body(), 1, r.body().length - 1, StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no reply #" + seq + " in " + frames);
    }

    private static Frame.Restored restored(List<Frame> frames) {
        return frames.stream().filter(f -> f instanceof Frame.Restored).map(f -> (Frame.Restored) f).findFirst()
                .orElseThrow(() -> new AssertionError("no RESTORED in " + frames));
    }

    private static List<Path> leftoverSnapshotFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("").toAbsolutePath())) {
            return files.filter(p -> p.getFileName().toString().startsWith("resh-restore-")).toList();
        }
    }

    @Test
    void shouldRestoreASnapshotLargerThanTheChannelBufferAndKeepAnsweringAfterIt() throws IOException {
        byte[] snapshot = new byte[3 * (1 << 16) + 123]; // several read-ahead buffers and file chunks
        new SplittableRandom(7).nextBytes(snapshot);
        snapshot[0] = 'S';
        Blob service = new Blob();

        List<Frame> out = run(service, List.of(new Frame.Restore(10, Digest.of(snapshot).bytes(), snapshot), request(11)));

        assertThat(restored(out).ok()).isTrue();
        assertThat(service.state).isEqualTo(snapshot);
        assertThat(reply(out, 11)).isEqualTo(snapshot.length + ":S");
        assertThat(leftoverSnapshotFiles()).isEmpty();
    }

    @Test
    void shouldRefuseASnapshotThatDoesNotHashToTheStableDigestWithoutHandingItToTheService() throws IOException {
        byte[] snapshot = "the voted state".getBytes(StandardCharsets.UTF_8);
        byte[] digest = Digest.of(snapshot).bytes();
        byte[] corrupted = snapshot.clone();
        corrupted[3] ^= 0x20; // one flipped bit on the way
        Blob service = new Blob();

        List<Frame> out = run(service, List.of(new Frame.Restore(10, digest, corrupted), request(11)));

        Frame.Restored r = restored(out);
        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("do not match the stable digest");
        assertThat(service.restores).isZero();
        assertThat(reply(out, 11)).isEqualTo("7:i"); // the channel stayed in step: the next frame was read whole
        assertThat(leftoverSnapshotFiles()).isEmpty();
    }

    @Test
    void shouldReportARestoreTheServiceRejects() throws IOException {
        byte[] snapshot = "not a blob the service accepts".getBytes(StandardCharsets.UTF_8);
        ReplicatedService picky = new Blob() {
            @Override
            public void restore(InputStream in) throws IOException {
                throw new IOException("corrupt snapshot: bad magic");
            }
        };

        List<Frame> out = run(picky, List.of(new Frame.Restore(4, Digest.of(snapshot).bytes(), snapshot)));

        assertThat(restored(out).ok()).isFalse();
        assertThat(restored(out).detail()).isEqualTo("IOException: corrupt snapshot: bad magic");
    }

    @Test
    void shouldAnswerAThrowableWithoutAMessageWithItsClassAlone() throws IOException {
        ReplicatedService overflowing = new Blob() {
            @Override
            public byte[] execute(byte[] request, ExecutionContext ctx) {
                return execute(request, ctx);
            }
        };

        List<Frame> out = run(overflowing, List.of(request(1)));

        assertThat(reply(out, 1)).isEqualTo("java.lang.StackOverflowError");
    }
}
