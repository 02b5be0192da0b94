package io.resh.replica;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads and writes {@link Frame}s. This is the one place the IPC wire format is defined.
 *
 * <pre>
 * Every frame, protocol version 1 (all integers big-endian):
 *
 *   0       2       3       4               8
 *   +-------+-------+-------+---------------+------------------------+
 *   | 'R''S'|  ver  | type  |  body length  |  body (length bytes)   |
 *   +-------+-------+-------+---------------+------------------------+
 *     magic   u8=1    u8        u32
 *
 * Bodies by type (host → replica):
 *   0x01 REQUEST         seq u64 | timeMillis u64 | seed u64 | payload ...
 *   0x02 CHECKPOINT      seq u64
 *   0x03 FETCH_SNAPSHOT  seq u64
 *   0x04 RESTORE         seq u64 | sha256 [32] | snapshot ...
 *   0x05 INJECT          fault u8 | arg u64
 *   0x06 SHUTDOWN        (empty)
 *   0x07 REQUEST_SHARED  seq u64 | timeMillis u64 | seed u64 | position u64 | length u32  (payload in {@link SharedBodies})
 * Bodies by type (replica → host):
 *   0x10 HELLO           protocol u16 | pid u64 | request pipe bytes u32 | service class UTF-8 ...
 *   0x11 REPLY           seq u64 | status u8 (0 ok, 1 error) | payload or UTF-8 error ...
 *   0x12 DIGEST          seq u64 | sha256 [32] | snapshot length u64
 *   0x13 SNAPSHOT        seq u64 | snapshot ...
 *   0x14 HEARTBEAT       (empty)
 *   0x15 RESTORED        seq u64 | ok u8 | detail UTF-8 ...
 *   0x16 INJECTED        fault u8 (bit 7 set: not carried out) | detail UTF-8 ...
 *   0x17 CONTRACT_VIOLATION  seq u64 | op length u16 | op UTF-8 | path length u16 | path UTF-8 | detail UTF-8 ...
 *   0x18 REPLY_SHARED    seq u64 | status u8 | position u64 | length u32  (payload in {@link SharedBodies})
 * </pre>
 *
 * Many frames are written back to back and flushed once (batching); a reader never needs more than
 * the 8-byte header to know how much to read. Requests and replies, one of each per request and
 * replica, are written and read as a fixed-size head (header plus the fixed fields) and the payload:
 * two calls on the (synchronized) buffered stream instead of one per field. A frame whose magic, version, type or length is wrong is
 * rejected with a {@link FrameFormatException}: the channel is then unusable and the replica faulty.
 */
public final class FrameCodec {
    /** The protocol version written in every header. */
    public static final int VERSION = 2;
    static final int MAGIC = ('R' << 8) | 'S';
    static final int HEADER_BYTES = 8;

    static final byte REQUEST = 0x01;
    static final byte CHECKPOINT = 0x02;
    static final byte FETCH_SNAPSHOT = 0x03;
    static final byte RESTORE = 0x04;
    static final byte INJECT = 0x05;
    static final byte SHUTDOWN = 0x06;
    static final byte REQUEST_SHARED = 0x07;
    static final byte HELLO = 0x10;
    static final byte REPLY = 0x11;
    static final byte DIGEST = 0x12;
    static final byte SNAPSHOT = 0x13;
    static final byte HEARTBEAT = 0x14;
    static final byte RESTORED = 0x15;
    static final byte INJECTED = 0x16;
    /** Set in an INJECTED frame's fault byte when the replica could not carry the fault out. */
    private static final int NOT_CARRIED_OUT = 0x80;
    static final byte CONTRACT_VIOLATION = 0x17;
    static final byte REPLY_SHARED = 0x18;

    public static final byte STATUS_OK = 0;
    public static final byte STATUS_ERROR = 1;

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final int maxFrameBytes;
    private final long maxSnapshotBytes;

    /**
     * @param maxFrameBytes largest body accepted for ordinary frames (requests, replies)
     * @param maxSnapshotBytes largest body accepted for snapshot-carrying frames
     */
    public FrameCodec(int maxFrameBytes, long maxSnapshotBytes) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxSnapshotBytes = Math.min(maxSnapshotBytes, Integer.MAX_VALUE - 64);
    }

    /** The payload limit ordinary frames are checked against (a frame body may exceed it by its own fields). */
    public int maxPayloadBytes() {
        return maxFrameBytes;
    }

    /** True if a REPLY with {@code payloadBytes} of payload passes a peer's length check with the same limits. */
    public boolean replyFits(int payloadBytes) {
        return 9L + payloadBytes <= maxFrameBytes + 64L;
    }

    // ---- writing --------------------------------------------------------------------------------

    /** How many bytes {@link #write} puts on the channel for {@code frame}, header included. */
    public static int encodedBytes(Frame frame) {
        return HEADER_BYTES + bodyBytes(frame);
    }

    /**
     * Writes a REPLY frame from its status and payload: the same bytes as {@link #write} of a {@link
     * Frame.Reply} whose body is {@link #replyBody}{@code (status, payload)}, without building that body
     * (a copy of the whole reply per request).
     */
    public void writeReply(DataOutputStream out, long sequence, byte status, byte[] payload) throws IOException {
        byte[] head = head(REPLY, 9, payload.length);
        LONG.set(head, HEADER_BYTES, sequence);
        head[HEADER_BYTES + 8] = status;
        out.write(head);
        out.write(payload);
    }

    /**
     * Writes one frame to a {@link FrameOutput}: the same bytes as {@link #write(DataOutputStream, Frame)};
     * a request or reply is encoded straight into the output's buffer.
     */
    public void write(FrameOutput out, Frame frame) throws IOException {
        if (frame instanceof Frame.Request r) {
            byte[] payload = r.payload();
            int at = out.reserve(HEADER_BYTES + 24 + payload.length);
            if (at < 0) {
                write(out.data(), frame);
                return;
            }
            byte[] buf = out.buffer();
            header(buf, at, REQUEST, 24 + payload.length);
            LONG.set(buf, at + HEADER_BYTES, r.sequence());
            LONG.set(buf, at + HEADER_BYTES + 8, r.timeMillis());
            LONG.set(buf, at + HEADER_BYTES + 16, r.seed());
            System.arraycopy(payload, 0, buf, at + HEADER_BYTES + 24, payload.length);
        } else if (frame instanceof Frame.Reply r) {
            byte[] body = r.body();
            int at = out.reserve(HEADER_BYTES + 8 + body.length);
            if (at < 0) {
                write(out.data(), frame);
                return;
            }
            byte[] buf = out.buffer();
            header(buf, at, REPLY, 8 + body.length);
            LONG.set(buf, at + HEADER_BYTES, r.sequence());
            System.arraycopy(body, 0, buf, at + HEADER_BYTES + 8, body.length);
        } else {
            write(out.data(), frame);
        }
    }

    /**
     * Writes a SNAPSHOT frame of the first {@code length} bytes of {@code snapshot}: the same bytes as
     * {@link #write} of a {@link Frame.Snapshot} of exactly those bytes, without trimming a reused, larger
     * array into a fresh one (a copy of the whole state).
     */
    void writeSnapshot(DataOutputStream out, long sequence, byte[] snapshot, int length) throws IOException {
        header(out, SNAPSHOT, 8 + length);
        out.writeLong(sequence);
        out.write(snapshot, 0, length);
    }

    /** {@link #writeReply(DataOutputStream, long, byte, byte[])} into a {@link FrameOutput}'s buffer. */
    public void writeReply(FrameOutput out, long sequence, byte status, byte[] payload) throws IOException {
        int at = out.reserve(HEADER_BYTES + 9 + payload.length);
        if (at < 0) {
            writeReply(out.data(), sequence, status, payload);
            return;
        }
        byte[] buf = out.buffer();
        header(buf, at, REPLY, 9 + payload.length);
        LONG.set(buf, at + HEADER_BYTES, sequence);
        buf[at + HEADER_BYTES + 8] = status;
        System.arraycopy(payload, 0, buf, at + HEADER_BYTES + 9, payload.length);
    }

    private static void header(byte[] buf, int at, byte type, int length) {
        buf[at] = (byte) (MAGIC >>> 8);
        buf[at + 1] = (byte) MAGIC;
        buf[at + 2] = VERSION;
        buf[at + 3] = type;
        INT.set(buf, at + 4, length);
    }

    private static int bodyBytes(Frame frame) {
        if (frame instanceof Frame.Request r) {
            return 24 + r.payload().length;
        } else if (frame instanceof Frame.Reply r) {
            return 8 + r.body().length;
        } else if (frame instanceof Frame.SharedRequest) {
            return 36;
        } else if (frame instanceof Frame.SharedReply) {
            return 21;
        } else if (frame instanceof Frame.Checkpoint || frame instanceof Frame.FetchSnapshot) {
            return 8;
        } else if (frame instanceof Frame.Restore r) {
            return 8 + 32 + r.snapshot().length;
        } else if (frame instanceof Frame.Inject) {
            return 9;
        } else if (frame instanceof Frame.Shutdown || frame instanceof Frame.Heartbeat) {
            return 0;
        } else if (frame instanceof Frame.Hello h) {
            return 14 + h.service().getBytes(StandardCharsets.UTF_8).length;
        } else if (frame instanceof Frame.StateDigest) {
            return 8 + 32 + 8;
        } else if (frame instanceof Frame.Snapshot s) {
            return 8 + s.snapshot().length;
        } else if (frame instanceof Frame.Restored r) {
            return 9 + r.detail().getBytes(StandardCharsets.UTF_8).length;
        } else if (frame instanceof Frame.Injected i) {
            return 1 + i.detail().getBytes(StandardCharsets.UTF_8).length;
        } else if (frame instanceof Frame.ContractViolation v) {
            return 8 + 2 + short16(v.operation()).length + 2 + short16(v.path()).length
                    + v.detail().getBytes(StandardCharsets.UTF_8).length;
        }
        throw new IllegalArgumentException("unknown frame " + frame);
    }

    /** Writes one frame; the caller decides when to flush (after a batch). */
    public void write(DataOutputStream out, Frame frame) throws IOException {
        if (frame instanceof Frame.Request r) {
            byte[] head = head(REQUEST, 24, r.payload().length);
            LONG.set(head, HEADER_BYTES, r.sequence());
            LONG.set(head, HEADER_BYTES + 8, r.timeMillis());
            LONG.set(head, HEADER_BYTES + 16, r.seed());
            out.write(head);
            out.write(r.payload());
        } else if (frame instanceof Frame.Reply r) {
            byte[] head = head(REPLY, 8, r.body().length);
            LONG.set(head, HEADER_BYTES, r.sequence());
            out.write(head);
            out.write(r.body());
        } else if (frame instanceof Frame.SharedRequest r) {
            header(out, REQUEST_SHARED, 36);
            out.writeLong(r.sequence());
            out.writeLong(r.timeMillis());
            out.writeLong(r.seed());
            out.writeLong(r.position());
            out.writeInt(r.length());
        } else if (frame instanceof Frame.SharedReply r) {
            header(out, REPLY_SHARED, 21);
            out.writeLong(r.sequence());
            out.writeByte(r.status());
            out.writeLong(r.position());
            out.writeInt(r.length());
        } else if (frame instanceof Frame.Checkpoint c) {
            seqOnly(out, CHECKPOINT, c.sequence());
        } else if (frame instanceof Frame.FetchSnapshot f) {
            seqOnly(out, FETCH_SNAPSHOT, f.sequence());
        } else if (frame instanceof Frame.Restore r) {
            header(out, RESTORE, 8 + 32 + r.snapshot().length);
            out.writeLong(r.sequence());
            out.write(r.digest(), 0, 32);
            out.write(r.snapshot());
        } else if (frame instanceof Frame.Inject i) {
            header(out, INJECT, 9);
            out.writeByte(i.fault());
            out.writeLong(i.arg());
        } else if (frame instanceof Frame.Shutdown s) {
            header(out, SHUTDOWN, 0);
        } else if (frame instanceof Frame.Hello h) {
            byte[] svc = h.service().getBytes(StandardCharsets.UTF_8);
            header(out, HELLO, 14 + svc.length);
            out.writeShort(h.protocol());
            out.writeLong(h.pid());
            out.writeInt(h.requestPipeBytes());
            out.write(svc);
        } else if (frame instanceof Frame.StateDigest d) {
            header(out, DIGEST, 8 + 32 + 8);
            out.writeLong(d.sequence());
            out.write(d.digest(), 0, 32);
            out.writeLong(d.snapshotBytes());
        } else if (frame instanceof Frame.Snapshot s) {
            writeSnapshot(out, s.sequence(), s.snapshot(), s.snapshot().length);
        } else if (frame instanceof Frame.Heartbeat h) {
            header(out, HEARTBEAT, 0);
        } else if (frame instanceof Frame.Restored r) {
            byte[] d = r.detail().getBytes(StandardCharsets.UTF_8);
            header(out, RESTORED, 9 + d.length);
            out.writeLong(r.sequence());
            out.writeByte(r.ok() ? 1 : 0);
            out.write(d);
        } else if (frame instanceof Frame.Injected i) {
            byte[] d = i.detail().getBytes(StandardCharsets.UTF_8);
            header(out, INJECTED, 1 + d.length);
            out.writeByte(i.fault() | (i.carriedOut() ? 0 : NOT_CARRIED_OUT));
            out.write(d);
        } else if (frame instanceof Frame.ContractViolation v) {
            byte[] op = short16(v.operation());
            byte[] path = short16(v.path());
            byte[] d = v.detail().getBytes(StandardCharsets.UTF_8);
            header(out, CONTRACT_VIOLATION, 8 + 2 + op.length + 2 + path.length + d.length);
            out.writeLong(v.sequence());
            out.writeShort(op.length);
            out.write(op);
            out.writeShort(path.length);
            out.write(path);
            out.write(d);
        } else {
            throw new IllegalArgumentException("unknown frame " + frame);
        }
    }

    /** The header and room for {@code fixed} bytes of fixed fields of a frame whose variable part is {@code variable} bytes. */
    private static byte[] head(byte type, int fixed, int variable) {
        byte[] head = new byte[HEADER_BYTES + fixed];
        head[0] = (byte) (MAGIC >>> 8);
        head[1] = (byte) MAGIC;
        head[2] = VERSION;
        head[3] = type;
        INT.set(head, 4, fixed + variable);
        return head;
    }

    /** UTF-8 bytes of {@code s}, cut to fit a u16 length (at a character boundary). */
    private static byte[] short16(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int n = s.length();
        while (b.length > 0xFFFF) {
            n = n * 3 / 4;
            b = s.substring(0, n).getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }

    private static void header(DataOutputStream out, byte type, int length) throws IOException {
        out.writeShort(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(type);
        out.writeInt(length);
    }

    private static void seqOnly(DataOutputStream out, byte type, long seq) throws IOException {
        header(out, type, 8);
        out.writeLong(seq);
    }

    /** Builds a reply body: status byte followed by the payload. */
    public static byte[] replyBody(byte status, byte[] payload) {
        byte[] body = new byte[1 + payload.length];
        body[0] = status;
        System.arraycopy(payload, 0, body, 1, payload.length);
        return body;
    }

    // ---- reading --------------------------------------------------------------------------------

    /**
     * Reads the next frame.
     *
     * @return the frame, or null at a clean end of stream (between frames)
     * @throws FrameFormatException if the bytes are not a valid frame
     * @throws EOFException if the stream ends inside a frame
     */
    public Frame read(DataInputStream in) throws IOException {
        Header h = readHeader(in);
        return h == null ? null : readBody(in, h);
    }

    /** A checked frame header: the type and the body length, which is within the limit for that type. */
    public record Header(byte type, int length) {
        /** True for a RESTORE frame, whose snapshot a replica may read with {@link #readRestoreHead} instead. */
        public boolean isRestore() {
            return type == RESTORE;
        }
    }

    /**
     * The fixed fields of a RESTORE frame, read by {@link #readRestoreHead}; the {@code snapshotBytes}
     * snapshot bytes follow on the stream.
     */
    public record RestoreHead(long sequence, byte[] digest, int snapshotBytes) {
    }

    /**
     * Reads and checks the next frame header (magic, version, length within the limit).
     *
     * @return the header, or null at a clean end of stream (between frames)
     */
    public Header readHeader(DataInputStream in) throws IOException {
        byte[] header = new byte[HEADER_BYTES];
        int got = in.read(header, 0, HEADER_BYTES);
        if (got < 0) {
            return null;
        }
        if (got < HEADER_BYTES) {
            in.readFully(header, got, HEADER_BYTES - got);
        }
        return checkHeader(header, 0);
    }

    /** The checks of {@link #readHeader} on the eight header bytes at {@code buf[off]}. */
    private Header checkHeader(byte[] buf, int off) throws FrameFormatException {
        return new Header(buf[off + 3], checkedBodyLength(buf, off));
    }

    /**
     * When the eight bytes read as a header are text, what they say and where text on the channel comes from:
     * a replica's JVM log line, or a child process writing on the stdout it inherited, reads as a bad magic
     * that a user would otherwise have to decode from hex. Empty for binary garbage.
     */
    static String textHint(byte[] buf, int off) {
        StringBuilder text = new StringBuilder(HEADER_BYTES);
        for (int i = off; i < off + HEADER_BYTES; i++) {
            int c = buf[i] & 0xFF;
            if (c == '\n' || c == '\r' || c == '\t') {
                text.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
            } else if (c >= 0x20 && c < 0x7F) {
                text.append((char) c);
            } else {
                return "";
            }
        }
        return "; they read as text, \"" + text + "\": text on a replica's channel comes from something writing on"
                + " its stdout (a JVM option that logs there, a child process that inherited it; see docs/IPC.md)";
    }

    /**
     * The body length the header at {@code buf[off]} declares, after the checks of {@link #readHeader}.
     * Returns a primitive so that decoding a frame held in an array allocates nothing but the frame.
     */
    private int checkedBodyLength(byte[] buf, int off) throws FrameFormatException {
        int magic = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
        if (magic != MAGIC) {
            throw new FrameFormatException(String.format(
                    "bad frame magic 0x%04x (expected 0x%04x 'RS'): the channel carries bytes that are not resh frames%s",
                    magic, MAGIC, textHint(buf, off)));
        }
        int version = buf[off + 2] & 0xFF;
        if (version != VERSION) {
            throw new FrameFormatException("unsupported frame protocol version " + version + " (this side speaks " + VERSION + ")");
        }
        byte type = buf[off + 3];
        long length = (int) INT.get(buf, off + 4) & 0xFFFF_FFFFL;
        long limit = (type == SNAPSHOT || type == RESTORE) ? maxSnapshotBytes + 64 : maxFrameBytes + 64L;
        if (length > limit) {
            throw new FrameFormatException(String.format("oversized frame: type 0x%02x declares %d bytes, limit is %d",
                    type, length, limit));
        }
        return (int) length;
    }

    /**
     * How many bytes the frame starting at {@code buf[off]} takes, header included, if all of them are
     * among the {@code available} bytes there; -1 if not (or if its header is too short to tell).
     */
    public static int wholeFrameBytes(byte[] buf, int off, int available) {
        if (available < HEADER_BYTES) {
            return -1;
        }
        long frame = HEADER_BYTES + ((int) INT.get(buf, off + 4) & 0xFFFF_FFFFL);
        return frame <= available ? (int) frame : -1;
    }

    /** True if the frame starting at {@code buf[off]} (header there) is a RESTORE frame. */
    public static boolean isRestoreAt(byte[] buf, int off) {
        return buf[off + 3] == RESTORE;
    }

    /**
     * Decodes a frame held whole in {@code buf} at {@code off} ({@link #wholeFrameBytes} said so), with
     * the checks and errors of {@link #read}. Requests and replies, the frames every request crosses, are
     * taken straight from the array: one copy of the payload, no stream calls.
     */
    public Frame decode(byte[] buf, int off) throws IOException {
        int len = checkedBodyLength(buf, off);
        byte type = buf[off + 3];
        int body = off + HEADER_BYTES;
        if (type == REQUEST && len >= 24) {
            return new Frame.Request((long) LONG.get(buf, body), (long) LONG.get(buf, body + 8), (long) LONG.get(buf, body + 16),
                    Arrays.copyOfRange(buf, body + 24, body + len));
        }
        if (type == REPLY && len >= 9) {
            long seq = (long) LONG.get(buf, body);
            byte status = buf[body + 8];
            if (status != STATUS_OK && status != STATUS_ERROR) {
                throw new FrameFormatException("reply #" + seq + " has unknown status byte " + status);
            }
            return new Frame.Reply(seq, Arrays.copyOfRange(buf, body + 8, body + len));
        }
        return readBody(new DataInputStream(new ByteArrayInputStream(buf, body, len)), new Header(type, len));
    }

    /**
     * Reads a RESTORE frame's sequence number and digest and leaves its snapshot on the stream, so that a
     * large snapshot can be streamed (and hashed) without being held in one array.
     */
    public RestoreHead readRestoreHead(DataInputStream in, Header h) throws IOException {
        if (h.type() != RESTORE) {
            throw new IllegalArgumentException(String.format("not a RESTORE frame: type 0x%02x", h.type()));
        }
        need(RESTORE, h.length(), 40);
        long seq = in.readLong();
        return new RestoreHead(seq, bytes(in, 32), h.length() - 40);
    }

    /** Reads the body of a frame whose header {@link #readHeader} returned. */
    public Frame readBody(DataInputStream in, Header h) throws IOException {
        byte type = h.type();
        int len = h.length();
        return switch (type) {
            case REQUEST -> {
                need(type, len, 24);
                byte[] fixed = bytes(in, 24);
                yield new Frame.Request((long) LONG.get(fixed, 0), (long) LONG.get(fixed, 8), (long) LONG.get(fixed, 16),
                        bytes(in, len - 24));
            }
            case REQUEST_SHARED -> {
                exact(type, len, 36);
                long seq = in.readLong();
                long time = in.readLong();
                long seed = in.readLong();
                long position = in.readLong();
                yield new Frame.SharedRequest(seq, time, seed, position, sharedLength(seq, in.readInt()));
            }
            case CHECKPOINT -> new Frame.Checkpoint(seq(in, type, len));
            case FETCH_SNAPSHOT -> new Frame.FetchSnapshot(seq(in, type, len));
            case RESTORE -> {
                need(type, len, 40);
                long seq = in.readLong();
                byte[] digest = bytes(in, 32);
                yield new Frame.Restore(seq, digest, bytes(in, len - 40));
            }
            case INJECT -> {
                exact(type, len, 9);
                yield new Frame.Inject(in.readUnsignedByte(), in.readLong());
            }
            case SHUTDOWN -> {
                exact(type, len, 0);
                yield new Frame.Shutdown();
            }
            case HELLO -> {
                need(type, len, 14);
                int protocol = in.readUnsignedShort();
                long pid = in.readLong();
                int requestPipeBytes = in.readInt();
                yield new Frame.Hello(protocol, pid, requestPipeBytes, new String(bytes(in, len - 14), StandardCharsets.UTF_8));
            }
            case REPLY -> {
                need(type, len, 9);
                long seq = (long) LONG.get(bytes(in, 8), 0);
                byte[] body = bytes(in, len - 8);
                if (body[0] != STATUS_OK && body[0] != STATUS_ERROR) {
                    throw new FrameFormatException("reply #" + seq + " has unknown status byte " + body[0]);
                }
                yield new Frame.Reply(seq, body);
            }
            case REPLY_SHARED -> {
                exact(type, len, 21);
                long seq = in.readLong();
                byte status = in.readByte();
                if (status != STATUS_OK && status != STATUS_ERROR) {
                    throw new FrameFormatException("reply #" + seq + " has unknown status byte " + status);
                }
                long position = in.readLong();
                yield new Frame.SharedReply(seq, status, position, sharedLength(seq, in.readInt()));
            }
            case DIGEST -> {
                exact(type, len, 48);
                long seq = in.readLong();
                byte[] digest = bytes(in, 32);
                yield new Frame.StateDigest(seq, digest, in.readLong());
            }
            case SNAPSHOT -> {
                need(type, len, 8);
                long seq = in.readLong();
                yield new Frame.Snapshot(seq, bytes(in, len - 8));
            }
            case HEARTBEAT -> {
                exact(type, len, 0);
                yield new Frame.Heartbeat();
            }
            case RESTORED -> {
                need(type, len, 9);
                long seq = in.readLong();
                boolean ok = in.readUnsignedByte() == 1;
                yield new Frame.Restored(seq, ok, new String(bytes(in, len - 9), StandardCharsets.UTF_8));
            }
            case INJECTED -> {
                need(type, len, 1);
                int fault = in.readUnsignedByte();
                yield new Frame.Injected(fault & ~NOT_CARRIED_OUT, (fault & NOT_CARRIED_OUT) == 0,
                        new String(bytes(in, len - 1), StandardCharsets.UTF_8));
            }
            case CONTRACT_VIOLATION -> {
                need(type, len, 12);
                long seq = in.readLong();
                int opLen = in.readUnsignedShort();
                need(type, len, 12 + opLen);
                String op = new String(bytes(in, opLen), StandardCharsets.UTF_8);
                int pathLen = in.readUnsignedShort();
                need(type, len, 12 + opLen + pathLen);
                String path = new String(bytes(in, pathLen), StandardCharsets.UTF_8);
                yield new Frame.ContractViolation(seq, op, path,
                        new String(bytes(in, len - 12 - opLen - pathLen), StandardCharsets.UTF_8));
            }
            default -> throw new FrameFormatException(String.format("unknown frame type 0x%02x (%d-byte body)", type, len));
        };
    }

    /** A shared body's length, held to the limit a body in the frame would be. */
    private int sharedLength(long seq, int length) throws FrameFormatException {
        long bytes = length & 0xFFFF_FFFFL;
        if (bytes > maxFrameBytes + 64L) {
            throw new FrameFormatException("oversized shared body: #" + seq + " declares " + bytes + " bytes, limit is "
                    + (maxFrameBytes + 64L));
        }
        return (int) bytes;
    }

    private static long seq(DataInputStream in, byte type, int len) throws IOException {
        exact(type, len, 8);
        return in.readLong();
    }

    private static void need(byte type, int len, int min) throws FrameFormatException {
        if (len < min) {
            throw new FrameFormatException(String.format("truncated frame: type 0x%02x needs at least %d body bytes, declares %d",
                    type, min, len));
        }
    }

    private static void exact(byte type, int len, int want) throws FrameFormatException {
        if (len != want) {
            throw new FrameFormatException(String.format("malformed frame: type 0x%02x has a %d-byte body, declares %d",
                    type, want, len));
        }
    }

    private static byte[] bytes(DataInputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Reads exactly {@code n} bytes from {@code in} (for tests and tools). */
    static byte[] readExactly(InputStream in, int n) throws IOException {
        return in.readNBytes(n);
    }

    /** Writes raw bytes that are deliberately not a frame (the IPC-garbage fault). */
    static void writeGarbage(OutputStream out, byte[] garbage) throws IOException {
        out.write(garbage);
    }
}
