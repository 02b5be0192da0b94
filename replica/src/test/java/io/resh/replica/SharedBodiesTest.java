package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file through which large bodies travel: both processes' views of it, here two mappings in one JVM. */
class SharedBodiesTest {
    private static final int RING = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldCarryABodyFromOneMappingToTheOtherAndMarkTheReplicaReady() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies host = SharedBodies.create(file, RING);
        assertThat(host.replicaReady()).isFalse();
        SharedBodies replica = SharedBodies.open(file);
        assertThat(host.replicaReady()).isTrue();
        assertThat(replica.requests().capacity()).isEqualTo(RING);

        byte[] request = body(20_000, 1);
        long at = host.requests().put(request, 0, request.length);
        byte[] got = replica.requests().take(at, request.length, 0);
        assertThat(got).isEqualTo(request);

        byte[] reply = body(30_000, 2);
        long back = replica.replies().put(reply, 0, reply.length);
        byte[] voted = host.replies().take(back, reply.length, 1);
        assertThat(Arrays.copyOfRange(voted, 1, voted.length)).isEqualTo(reply);
        host.unmap();
        replica.unmap();
    }

    /** A sparse file would take its space only as the rings are written, where a full file system means a SIGBUS. */
    @Test
    void shouldTakeTheFilesSpaceWhenItIsCreated() throws Exception {
        Path file = dir.resolve("bodies");
        SharedBodies.create(file, RING).unmap();
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] blocks = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
        assertThat(stat.waitFor()).isZero();
        assertThat(Long.parseLong(blocks[0]) * Long.parseLong(blocks[1])).as("bytes allocated on disk")
                .isGreaterThanOrEqualTo(Files.size(file));
    }

    @Test
    void shouldRefuseABodyUntilTheReaderHasTakenWhatItWouldOverwrite() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies host = SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        byte[] body = body(RING / 2, 3);
        long first = host.requests().put(body, 0, body.length);
        long second = host.requests().put(body, 0, body.length);
        assertThat(host.requests().put(body, 0, 1)).as("full: nothing is taken yet").isEqualTo(-1);

        replica.requests().take(first, body.length, 0);
        long third = host.requests().put(body, 0, body.length);
        assertThat(third).as("the space of the first body, taken").isEqualTo(RING);
        assertThat(host.requests().put(body, 0, 1)).isEqualTo(-1);
        assertThat(second).isEqualTo(RING / 2);
    }

    /** The host reading a reply equal to another replica's: compared in place, released only when equal. */
    @Test
    void shouldReleaseABodyEqualToAGivenOneWithoutCopyingAndKeepADifferentOneUnread() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies host = SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        byte[] reply = body(RING / 2, 6);
        byte[] peer = new byte[reply.length + 1];
        System.arraycopy(reply, 0, peer, 1, reply.length);
        byte[] flipped = reply.clone();
        flipped[reply.length - 1] ^= 0x10;

        long first = replica.replies().put(flipped, 0, flipped.length);
        assertThat(host.replies().releaseIfEqual(first, reply.length, peer, 1)).as("one bit differs").isFalse();
        assertThat(replica.replies().put(reply, 0, reply.length)).as("the unequal body is still unread")
                .isEqualTo(RING / 2);
        assertThat(replica.replies().put(reply, 0, 1)).as("full").isEqualTo(-1);
        assertThat(host.replies().take(first, flipped.length, 0)).as("and can still be taken").isEqualTo(flipped);

        long second = RING / 2;
        assertThat(host.replies().releaseIfEqual(second, reply.length, peer, 1)).isTrue();
        assertThat(replica.replies().put(reply, 0, reply.length)).as("the equal body's space is free again")
                .isEqualTo(RING);
        assertThatThrownBy(() -> host.replies().releaseIfEqual(RING - 10, 20, peer, 1))
                .isInstanceOf(FrameFormatException.class).hasMessageContaining("does not lie inside");
    }

    @Test
    void shouldStartABodyThatWouldNotFitBeforeTheEndAtTheBeginning() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies host = SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        byte[] small = body(40_000, 4);
        long a = host.requests().put(small, 0, small.length);
        replica.requests().take(a, small.length, 0);
        byte[] big = body(30_000, 5);
        long b = host.requests().put(big, 0, big.length);
        assertThat(b).as("40,000 + 30,000 > 64 KiB: the body starts at the next turn").isEqualTo(RING);
        byte[] got = replica.requests().take(b, big.length, 0);
        assertThat(got).isEqualTo(big);
    }

    /**
     * A service answering in place: it reads the request from a view of the ring (the writer may not reuse that
     * space before the view is released) and writes the reply into space lent from the other ring, which the
     * host then takes as if it had been put there.
     */
    @Test
    void shouldLetAReplicaReadARequestAndWriteAReplyInPlace() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies host = SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        byte[] request = body(RING / 2, 6);
        long at = host.requests().put(request, 0, request.length);
        ByteBuffer view = replica.requests().view(at, request.length);
        assertThat(host.requests().put(request, 0, request.length)).isEqualTo(RING / 2);
        assertThat(host.requests().put(request, 0, 1)).as("viewed is not released").isEqualTo(-1);
        assertThatThrownBy(() -> view.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);

        long lent = replica.replies().reserve(request.length);
        ByteBuffer reply = replica.replies().writable(lent, request.length);
        for (int i = 0; i < request.length; i++) {
            reply.put((byte) ~view.get(i));
        }
        replica.requests().release(at, request.length);
        assertThat(host.requests().put(request, 0, 1)).as("released: its space is free again").isEqualTo(RING);
        replica.replies().written(lent, request.length);

        byte[] voted = host.replies().take(lent, request.length, 0);
        for (int i = 0; i < request.length; i++) {
            assertThat(voted[i]).isEqualTo((byte) ~request[i]);
        }
        assertThat(replica.replies().reserve(RING / 2)).as("the next body goes after the written one").isEqualTo(RING / 2);
    }

    @Test
    void shouldTakeNothingForAReservationThatWasNotWritten() throws IOException {
        Path file = dir.resolve("bodies");
        SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        long first = replica.replies().reserve(RING);
        assertThat(first).isZero();
        assertThat(replica.replies().reserve(RING)).as("given up: the same space again").isZero();
        byte[] b = body(100, 7);
        assertThat(replica.replies().put(b, 0, b.length)).isZero();
        assertThat(replica.replies().copy(0, b.length)).isEqualTo(b);
        assertThat(replica.replies().reserve(RING)).as("a whole ring no longer fits behind an unread body").isEqualTo(-1);
        assertThat(replica.replies().reserve(-1)).isEqualTo(-1);
    }

    @Test
    void shouldRejectABodyOutsideTheRingWithoutReadingIt() throws IOException {
        SharedBodies host = SharedBodies.create(dir.resolve("bodies"), RING);
        assertThatThrownBy(() -> host.replies().take(RING - 10, 20, 0)).isInstanceOf(FrameFormatException.class)
                .hasMessage("shared body of 20 bytes at position 65526 does not lie inside the 65536-byte ring");
        assertThatThrownBy(() -> host.replies().take(-1, 20, 0)).isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("at position -1 does not lie inside");
        assertThatThrownBy(() -> host.requests().view(RING + RING - 1, 2)).isInstanceOf(FrameFormatException.class)
                .hasMessage("shared body of 2 bytes at position 131071 does not lie inside the 65536-byte ring");
    }

    @Test
    void shouldRefuseAFileThatIsNotTwoRings() throws IOException {
        Path file = dir.resolve("bodies");
        Files.write(file, new byte[1000]);
        assertThatThrownBy(() -> SharedBodies.open(file)).isInstanceOf(IOException.class)
                .hasMessage("shared body file " + file + " has 1000 bytes, not two rings");
        assertThatThrownBy(() -> SharedBodies.create(file, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 100");
    }

    /** Any sequence of bodies and takes: what comes out is what went in, in order, and a full ring says so. */
    @Property(tries = 200)
    void shouldDeliverEveryBodyItAcceptedIntactAndInOrder(@ForAll("bodies") List<Integer> sizes) throws IOException {
        Path file = Files.createTempFile("resh-bodies", ""); // jqwik has no @TempDir
        SharedBodies host = SharedBodies.create(file, RING);
        SharedBodies replica = SharedBodies.open(file);
        Files.delete(file); // the mappings outlive the name, as in the host
        Deque<long[]> inFlight = new ArrayDeque<>();
        int seed = 0;
        for (int size : sizes) {
            byte[] b = body(size, ++seed);
            long at = host.requests().put(b, 0, b.length);
            if (at < 0) {
                assertThat(inFlight).as("a ring with nothing in flight takes any body it can hold").isNotEmpty();
                takeOldest(replica, inFlight);
                at = host.requests().put(b, 0, b.length);
                if (at < 0) {
                    while (!inFlight.isEmpty()) {
                        takeOldest(replica, inFlight);
                    }
                    at = host.requests().put(b, 0, b.length);
                }
            }
            assertThat(at).isGreaterThanOrEqualTo(0);
            inFlight.add(new long[] {at, size, seed});
        }
        while (!inFlight.isEmpty()) {
            takeOldest(replica, inFlight);
        }
        host.unmap();
        replica.unmap();
    }

    @Provide
    Arbitrary<List<Integer>> bodies() {
        return Arbitraries.integers().between(0, RING).list().ofMaxSize(40);
    }

    private static void takeOldest(SharedBodies replica, Deque<long[]> inFlight) throws FrameFormatException {
        long[] f = inFlight.poll();
        byte[] got = replica.requests().take(f[0], (int) f[1], 0);
        assertThat(got).isEqualTo(body((int) f[1], (int) f[2]));
    }

    private static byte[] body(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
