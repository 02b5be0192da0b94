package io.resh.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private final FrameCodec codec = new FrameCodec(1 << 20, 1 << 24);

    private byte[] encode(List<Frame> frames) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        for (Frame f : frames) {
            codec.write(out, f);
        }
        out.flush();
        return buf.toByteArray();
    }

    private List<Frame> decode(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        List<Frame> out = new ArrayList<>();
        Frame f;
        while ((f = codec.read(in)) != null) {
            out.add(f);
        }
        return out;
    }

    @Provide
    Arbitrary<List<Frame>> frames() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Long> seq = Arbitraries.longs().greaterOrEqual(0);
        return Arbitraries.<Frame>oneOf(
                net.jqwik.api.Combinators.combine(seq, Arbitraries.longs(), Arbitraries.longs(), bytes).as(Frame.Request::new),
                seq.map(Frame.Checkpoint::new),
                seq.map(Frame.FetchSnapshot::new),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.bytes().array(byte[].class).ofSize(32), bytes).as(Frame.Restore::new),
                net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.longs()).as(Frame.Inject::new),
                Arbitraries.just(new Frame.Shutdown()),
                net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.longs(),
                        Arbitraries.integers().greaterOrEqual(0), Arbitraries.strings().ofMaxLength(40)).as(Frame.Hello::new),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(100))
                        .as((s, p) -> new Frame.Reply(s, FrameCodec.replyBody(FrameCodec.STATUS_OK, p))),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.bytes().array(byte[].class).ofSize(32), Arbitraries.longs())
                        .as(Frame.StateDigest::new),
                net.jqwik.api.Combinators.combine(seq, bytes).as(Frame.Snapshot::new),
                Arbitraries.just(new Frame.Heartbeat()),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.of(true, false), Arbitraries.strings().ofMaxLength(40))
                        .as(Frame.Restored::new),
                net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 127), Arbitraries.of(true, false),
                        Arbitraries.strings().ofMaxLength(40)).as(Frame.Injected::new),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.strings().ofMaxLength(20), Arbitraries.strings().ofMaxLength(60),
                        Arbitraries.strings().ofMaxLength(40)).as(Frame.ContractViolation::new),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.longs(), Arbitraries.longs(), Arbitraries.longs().greaterOrEqual(0),
                        Arbitraries.integers().between(0, 1 << 20)).as(Frame.SharedRequest::new),
                net.jqwik.api.Combinators.combine(seq, Arbitraries.of(FrameCodec.STATUS_OK, FrameCodec.STATUS_ERROR),
                        Arbitraries.longs().greaterOrEqual(0), Arbitraries.integers().between(0, 1 << 20)).as(Frame.SharedReply::new))
                .list().ofMaxSize(20);
    }

    @Property(tries = 300)
    void shouldRoundTripAnyBatchOfFrames(@ForAll("frames") List<Frame> frames) throws IOException {
        List<Frame> back = decode(encode(frames));
        assertThat(back).usingRecursiveFieldByFieldElementComparator().isEqualTo(frames);
    }

    @Property(tries = 200)
    void shouldWriteASnapshotFromThePrefixOfALargerArrayAsItsOwnFrame(
            @ForAll("snapshotPrefixes") byte[] array, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 64) int spare)
            throws IOException {
        int length = Math.max(0, array.length - spare);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(buf);
        codec.writeSnapshot(out, 7, array, length);
        out.flush();
        byte[] expected = encode(List.of(new Frame.Snapshot(7, java.util.Arrays.copyOf(array, length))));
        assertThat(buf.toByteArray()).isEqualTo(expected);
    }

    @Provide
    Arbitrary<byte[]> snapshotPrefixes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(500);
    }

    /**
     * Decodes as the readers do: in place while the next frame sits whole in the buffer, through the
     * stream when it does not.
     */
    private List<Frame> decodeInPlace(byte[] bytes) throws IOException {
        List<Frame> out = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            int whole = FrameCodec.wholeFrameBytes(bytes, at, bytes.length - at);
            if (whole < 0) {
                Frame f = codec.read(new DataInputStream(new ByteArrayInputStream(bytes, at, bytes.length - at)));
                throw new EOFException("the stream read " + f + " from a frame that is not whole");
            }
            out.add(codec.decode(bytes, at));
            at += whole;
        }
        return out;
    }

    @Property(tries = 300)
    void shouldDecodeInPlaceWhatTheStreamDecodes(@ForAll("frames") List<Frame> frames) throws IOException {
        byte[] bytes = encode(frames);
        assertThat(decodeInPlace(bytes)).usingRecursiveFieldByFieldElementComparator().isEqualTo(frames);
    }

    @Property(tries = 1000)
    void shouldRefuseACorruptedFrameInPlaceWithTheStreamsError(@ForAll("frames") List<Frame> frames,
            @ForAll int position, @ForAll byte xor) throws IOException {
        byte[] bytes = encode(frames);
        if (bytes.length == 0 || xor == 0) {
            return;
        }
        bytes[Math.floorMod(position, bytes.length)] ^= xor;
        String streamError = errorOf(() -> decode(bytes));
        String inPlaceError = errorOf(() -> decodeInPlace(bytes));
        if (streamError != null && streamError.startsWith("EOFException")) {
            // A length flipped larger: the stream ends inside the frame; the in-place reader, finding it not
            // whole, reads it through the stream and ends there too.
            assertThat(inPlaceError).startsWith("EOFException");
        } else {
            assertThat(inPlaceError).isEqualTo(streamError);
            if (streamError == null) { // a flipped payload byte: both read the same frames
                assertThat(decodeInPlace(bytes)).usingRecursiveFieldByFieldElementComparator().isEqualTo(decode(bytes));
            }
        }
    }

    private interface Decoding {
        List<Frame> run() throws IOException;
    }

    private static String errorOf(Decoding d) {
        try {
            d.run();
            return null;
        } catch (IOException | RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    @Property(tries = 300)
    void shouldWriteTheSameBytesThroughAFrameOutput(@ForAll("frames") List<Frame> frames,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 512) int bufferBytes) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        FrameOutput out = new FrameOutput(sink, bufferBytes); // small buffers: frames straddle and overflow it
        for (Frame f : frames) {
            if (f instanceof Frame.Reply r) {
                codec.writeReply(out, r.sequence(), r.body()[0], java.util.Arrays.copyOfRange(r.body(), 1, r.body().length));
            } else {
                codec.write(out, f);
            }
        }
        out.flush();
        assertThat(sink.toByteArray()).isEqualTo(encode(frames));
    }

    @Test
    void shouldRejectAContractViolationWhosePathOverrunsTheBody() throws IOException {
        byte[] ok = encode(List.of(new Frame.ContractViolation(9, "Files.write", "/etc/passwd", "Read-only file system")));
        ok[8 + 8 + 2 + "Files.write".length() + 1] = (byte) 0xff; // path length far beyond the body
        assertThatThrownBy(() -> decode(ok)).isInstanceOf(FrameFormatException.class).hasMessageContaining("truncated frame");
    }

    @Test
    void shouldRejectASharedBodyOverTheFrameLimit() throws IOException {
        byte[] bytes = encode(List.of(new Frame.SharedReply(7, FrameCodec.STATUS_OK, 0, 1 << 20)));
        bytes[bytes.length - 4] = 0x7f; // the length field: far over 1 MiB + 64
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(FrameFormatException.class)
                .hasMessage("oversized shared body: #7 declares 2131755008 bytes, limit is 1048640");
    }

    @Test
    void shouldRejectASharedReplyWithAnUnknownStatus() throws IOException {
        byte[] bytes = encode(List.of(new Frame.SharedReply(7, FrameCodec.STATUS_OK, 0, 100)));
        bytes[8 + 8] = 9;
        assertThatThrownBy(() -> decode(bytes)).isInstanceOf(FrameFormatException.class)
                .hasMessage("reply #7 has unknown status byte 9");
    }

    @Test
    void shouldReadARestoreHeadAndLeaveItsSnapshotOnTheStream() throws IOException {
        byte[] digest = new byte[32];
        digest[31] = 9;
        byte[] bytes = encode(List.of(new Frame.Restore(42, digest, new byte[] {5, 6, 7}), new Frame.Checkpoint(43)));
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        FrameCodec.Header h = codec.readHeader(in);
        assertThat(h.isRestore()).isTrue();
        FrameCodec.RestoreHead head = codec.readRestoreHead(in, h);
        assertThat(head.sequence()).isEqualTo(42);
        assertThat(head.digest()).isEqualTo(digest);
        assertThat(head.snapshotBytes()).isEqualTo(3);
        assertThat(in.readNBytes(3)).containsExactly(5, 6, 7);
        assertThat(codec.read(in)).isEqualTo(new Frame.Checkpoint(43));
    }

    @Test
    void shouldRejectARestoreTooShortForItsDigestBeforeStreamingIt() throws IOException {
        byte[] bytes = encode(List.of(new Frame.Restore(42, new byte[32], new byte[0])));
        bytes[7] = 39; // one byte short of sequence + digest
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        FrameCodec.Header h = codec.readHeader(in);
        assertThatThrownBy(() -> codec.readRestoreHead(in, h)).isInstanceOf(FrameFormatException.class)
                .hasMessage("truncated frame: type 0x04 needs at least 40 body bytes, declares 39");
    }

    @Test
    void shouldRejectBytesThatAreNotFrames() {
        byte[] garbage = "hello, this is not a frame".getBytes();
        assertThatThrownBy(() -> decode(garbage)).isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith("bad frame magic 0x6865 (expected 0x5253 'RS'): the channel carries bytes that"
                        + " are not resh frames; they read as text, \"hello, t\": text on a replica's channel comes from something writing on its stdout");
        byte[] logLine = "[0s]\tab\nmore".getBytes();
        assertThatThrownBy(() -> decode(logLine)).hasMessageContaining("they read as text, \"[0s]\\tab\\n\"");
        byte[] binary = {0x01, 0x02, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
        assertThatThrownBy(() -> decode(binary)).isInstanceOf(FrameFormatException.class)
                .hasMessageEndingWith("the channel carries bytes that are not resh frames");
    }

    @Test
    void shouldRejectAnOversizedFrameBeforeAllocatingIt() throws IOException {
        byte[] header = encode(List.of(new Frame.Reply(1, new byte[] {0, 1})));
        header[4] = 0x7f; // declared length ~2 GiB
        assertThatThrownBy(() -> decode(header)).isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("oversized frame");
    }

    /** What a replica checks before sending a reply is exactly what the host's reader accepts. */
    @Test
    void shouldSayAReplyFitsExactlyWhenTheReaderAcceptsIt() throws IOException {
        FrameCodec small = new FrameCodec(1024, 1 << 20);
        int largest = 1024 + 64 - 9;
        for (int size : new int[] {largest, largest + 1}) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buf);
            small.writeReply(out, 5, FrameCodec.STATUS_OK, new byte[size]);
            out.flush();
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf.toByteArray()));
            if (small.replyFits(size)) {
                assertThat(small.read(in)).isInstanceOf(Frame.Reply.class);
            } else {
                assertThatThrownBy(() -> small.read(in)).hasMessageContaining("oversized frame");
            }
        }
        assertThat(small.replyFits(largest)).isTrue();
        assertThat(small.replyFits(largest + 1)).isFalse();
    }

    @Test
    void shouldRejectUnknownTypesAndVersions() throws IOException {
        byte[] bytes = encode(List.of(new Frame.Heartbeat()));
        bytes[3] = 0x7e;
        assertThatThrownBy(() -> decode(bytes)).hasMessageContaining("unknown frame type 0x7e");
        byte[] v1 = encode(List.of(new Frame.Heartbeat()));
        v1[2] = 1;
        assertThatThrownBy(() -> decode(v1)).hasMessageContaining("unsupported frame protocol version 1 (this side speaks 2)");
    }

    @Test
    void shouldRejectAReplyWithAnUnknownStatus() throws IOException {
        byte[] bytes = encode(List.of(new Frame.Reply(9, new byte[] {7, 1, 2})));
        assertThatThrownBy(() -> decode(bytes)).hasMessageContaining("reply #9 has unknown status byte 7");
    }

    @Test
    void shouldReportAStreamThatEndsInsideAFrame() throws IOException {
        byte[] bytes = encode(List.of(new Frame.Request(1, 2, 3, new byte[100])));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 10);
        assertThatThrownBy(() -> decode(cut)).isInstanceOf(EOFException.class);
    }

    @Test
    void shouldKeepAFixedHeaderLayout() throws IOException {
        byte[] bytes = encode(List.of(new Frame.Checkpoint(0x0102030405060708L)));
        assertThat(bytes).containsExactly('R', 'S', 2, 0x02, 0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8);
    }
}
