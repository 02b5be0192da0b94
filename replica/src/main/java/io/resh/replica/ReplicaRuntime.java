package io.resh.replica;

import io.resh.core.Digest;
import io.resh.core.InjectedFault;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The loop inside a replica: read frames from the host, execute, answer. Single-threaded except for
 * the heartbeat timer, which shares the output stream under a lock.
 *
 * <p>Replies are written without flushing while more input is already buffered, and flushed when the
 * input runs dry: a batch of requests costs one write back (group commit without a timer). "Runs dry"
 * is judged from this runtime's own read-ahead buffer, not with {@code available()}, which costs a
 * system call on every frame.
 */
final class ReplicaRuntime {
    private final ReplicatedService service;
    private final int index;
    private final FrameCodec codec;
    private final ReadAhead input;
    private final DataInputStream in;
    private final FrameOutput out;
    private final RequestContext ctx;
    private final long heartbeatMillis;
    /** Where large request bodies come from and large replies go (null: the pipes carry them). */
    private final SharedBodies shared;
    /** Hashes snapshots off the request path, one at a time, so digests leave in checkpoint order. */
    private final ExecutorService digester;

    private long keptSnapshotSeq = -1;
    /** The last checkpoint's snapshot: its first {@link #keptSnapshotBytes} bytes (the array may be longer). */
    private byte[] keptSnapshot;
    private int keptSnapshotBytes;
    /** The snapshot array before {@link #keptSnapshot}, kept to be written over by the next checkpoint. */
    private byte[] spareSnapshot;
    private final AtomicInteger digestsPending = new AtomicInteger();
    /** Size of the restored snapshot, for the first checkpoint's array when none is kept yet. */
    private int snapshotSizeHint;

    // Armed in-replica faults, consumed by the next reply.
    private long slowNextMillis;
    private long corruptNextBit = -1;
    private boolean byzantineNext;
    private byte previousStatus;
    private byte[] previousPayload;
    /** Where the previous reply lies in the shared file when it was written there in place (previousPayload null). */
    private long previousInPlace;
    private int previousInPlaceLength;

    ReplicaRuntime(ReplicatedService service, int index, FrameCodec codec, DataInputStream in, DataOutputStream out,
                   long heartbeatMillis, SharedBodies shared) {
        this.shared = shared;
        this.service = service;
        this.index = index;
        this.codec = codec;
        this.input = new ReadAhead(in);
        this.in = new DataInputStream(input);
        this.out = new FrameOutput(out, 1 << 16);
        this.ctx = new RequestContext(index, shared == null ? null : shared.replies());
        this.heartbeatMillis = heartbeatMillis;
        this.digester = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "resh-digest-" + index);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs until the host closes the channel or sends SHUTDOWN. */
    void run() throws IOException {
        send(new Frame.Hello(FrameCodec.VERSION, ProcessHandle.current().pid(), Frame.Hello.requestPipeBytes(System.getenv()),
                service.getClass().getName()));
        flush();
        startHeartbeat();
        while (true) {
            Frame frame = null;
            int whole = FrameCodec.wholeFrameBytes(input.buffer(), input.position(), input.buffered());
            if (whole >= 0 && !FrameCodec.isRestoreAt(input.buffer(), input.position())) {
                // The frame is all in the read-ahead buffer (the usual case in a batch): decoded in place.
                // A RESTORE goes the stream way: its snapshot is streamed to a file, not held in an array.
                frame = codec.decode(input.buffer(), input.position());
                input.skipBuffered(whole);
            } else {
                FrameCodec.Header header = codec.readHeader(in);
                if (header == null) {
                    flush();
                    return;
                }
                if (header.isRestore()) {
                    send(restore(codec.readRestoreHead(in, header)));
                } else {
                    frame = codec.readBody(in, header);
                }
            }
            if (frame instanceof Frame.Shutdown) {
                flush();
                return;
            }
            if (frame != null) {
                handle(frame);
            }
            if (input.buffered() == 0) {
                flush();
            }
        }
    }

    /** Answers a request whose payload the host put in the shared file, from a view of it: no copy. */
    private void answerShared(Frame.SharedRequest r) throws IOException {
        if (shared == null) {
            throw new FrameFormatException("request #" + r.sequence() + " has its payload in a shared body file, but this"
                    + " replica has none mapped");
        }
        ByteBuffer view = shared.requests().view(r.position(), r.length());
        try {
            answer(r.sequence(), r.timeMillis(), r.seed(), view);
        } finally {
            shared.requests().release(r.position(), r.length());
        }
    }

    private void handle(Frame frame) throws IOException {
        if (frame instanceof Frame.Request r) {
            answer(r.sequence(), r.timeMillis(), r.seed(), ByteBuffer.wrap(r.payload()));
        } else if (frame instanceof Frame.SharedRequest r) {
            answerShared(r);
        } else if (frame instanceof Frame.Checkpoint c) {
            // The snapshot is taken between requests (it must be consistent); hashing it is not, so the
            // digest is computed and sent in the background while requests keep being answered.
            SnapshotBuffer buf = new SnapshotBuffer(reusableSnapshotArray());
            service.snapshot(buf);
            byte[] snapshot = buf.array();
            int length = buf.size();
            spareSnapshot = keptSnapshot;
            keptSnapshot = snapshot;
            keptSnapshotBytes = length;
            keptSnapshotSeq = c.sequence();
            long seq = c.sequence();
            digestsPending.incrementAndGet();
            digester.execute(() -> sendDigest(seq, snapshot, length));
        } else if (frame instanceof Frame.FetchSnapshot f) {
            boolean kept = f.sequence() == keptSnapshotSeq;
            synchronized (out) {
                codec.writeSnapshot(out.data(), f.sequence(), kept ? keptSnapshot : new byte[0], kept ? keptSnapshotBytes : 0);
            }
        } else if (frame instanceof Frame.Inject i) {
            inject(i);
        } else {
            throw new FrameFormatException("a replica does not accept frames of type " + frame.getClass().getSimpleName());
        }
    }

    /**
     * Executes a request and writes the reply. Unless a fault is armed, status and payload go to the
     * channel as they are, without first being copied into one reply body; a reply the service wrote into
     * the buffer lent from the shared file stays where it is and only its position crosses the pipe.
     */
    private void answer(long sequence, long timeMillis, long seed, ByteBuffer request) throws IOException {
        ctx.reset(sequence, timeMillis, seed);
        byte status;
        byte[] payload = null;
        long inPlace = -1;
        int inPlaceLength = 0;
        try {
            ByteBuffer reply = service.execute(request, ctx);
            status = FrameCodec.STATUS_OK;
            long at = ctx.lentPosition(reply);
            if (at >= 0 && reply.remaining() >= SharedBodies.MIN_BODY_BYTES) {
                inPlace = at;
                inPlaceLength = reply.remaining();
            } else {
                payload = bytesOf(reply);
            }
        } catch (Throwable e) {
            // Whatever execute throws is its answer, an AssertionError or a LinkageError as much as an exception:
            // every replica throws it alike. Only a JVM that can no longer be trusted (out of memory, an internal
            // error) dies, and the host handles that as a crash; a stack overflow unwinds cleanly and is answered.
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                throw (VirtualMachineError) e;
            }
            // Without a message the class alone is the answer, as Throwable.toString gives it: "StackOverflowError:
            // null" read as if the service had thrown the text "null".
            String text = e.getMessage() == null ? e.getClass().getName() : e.getClass().getName() + ": " + e.getMessage();
            status = FrameCodec.STATUS_ERROR;
            payload = text.getBytes(StandardCharsets.UTF_8);
            Frame.ContractViolation v = SandboxViolation.of(sequence, e);
            if (v != null) {
                send(v); // evidence for the host; the error reply is still voted like any other
            }
        }
        // An interrupt the service left set (Thread.currentThread().interrupt() in a catch) is state of the
        // thread, not in any snapshot: it would fail the next blocking call here but not in a replica restored
        // since, and make the two answer differently.
        Thread.interrupted();
        boolean faultArmed = byzantineNext || corruptNextBit >= 0 || slowNextMillis > 0;
        if (inPlace >= 0) {
            if (!faultArmed && codec.replyFits(inPlaceLength)) {
                previousStatus = status;
                previousPayload = null; // copied out of the ring only if a Byzantine fault is armed (see inject)
                previousInPlace = inPlace;
                previousInPlaceLength = inPlaceLength;
                synchronized (out) {
                    shared.replies().written(inPlace, inPlaceLength);
                    codec.write(out, new Frame.SharedReply(sequence, status, inPlace, inPlaceLength));
                }
                return;
            }
            payload = shared.replies().copy(inPlace, inPlaceLength); // the loan is given up: nothing was taken
        }
        if (!codec.replyFits(payload.length)) {
            // Every replica computes the same reply; sent, the host would take each one's frame for garbage on
            // the channel and replace it, and each replacement would replay the request and send it again.
            status = FrameCodec.STATUS_ERROR;
            payload = ("reply of " + payload.length + " bytes exceeds limits.maxRequestBytes (" + codec.maxPayloadBytes()
                    + ")").getBytes(StandardCharsets.UTF_8);
        }
        if (faultArmed) {
            byte[] body = applyArmedFaults(FrameCodec.replyBody(status, payload));
            status = body[0];
            payload = Arrays.copyOfRange(body, 1, body.length);
        } else {
            previousStatus = status;
            previousPayload = payload;
        }
        synchronized (out) {
            if (shared != null && payload.length >= SharedBodies.MIN_BODY_BYTES) {
                long at = shared.replies().put(payload, 0, payload.length);
                if (at >= 0) {
                    codec.write(out, new Frame.SharedReply(sequence, status, at, payload.length));
                    return;
                }
            }
            codec.writeReply(out, sequence, status, payload);
        }
    }

    /** The bytes between the buffer's position and limit: its array itself where that is exactly them. */
    private static byte[] bytesOf(ByteBuffer reply) {
        if (reply == null) {
            return new byte[0];
        }
        if (reply.hasArray() && reply.arrayOffset() == 0 && reply.position() == 0 && reply.limit() == reply.array().length) {
            return reply.array();
        }
        byte[] bytes = new byte[reply.remaining()];
        reply.get(bytes);
        return bytes;
    }

    private byte[] applyArmedFaults(byte[] body) {
        byte[] correct = body;
        if (byzantineNext) {
            byzantineNext = false;
            // A well-formed value of another request: the previous reply if it differs, else a changed byte.
            byte[] previous = previousPayload == null ? null : FrameCodec.replyBody(previousStatus, previousPayload);
            if (previous != null && !Arrays.equals(previous, body)) {
                body = previous;
            } else if (body.length > 1) {
                body = body.clone();
                body[body.length - 1]++;
            } else {
                // An empty value has no byte to change: changing the status byte made an error of it, and the
                // evidence then showed two equal empty values. A one-byte value is a wrong value of the same status.
                body = FrameCodec.replyBody(body[0], new byte[] {1});
            }
        }
        if (corruptNextBit >= 0) {
            long bits = (long) body.length * 8 - 8;
            if (bits > 0) {
                body = body.clone();
                long bit = 8 + Math.floorMod(corruptNextBit, bits); // never the status byte: corrupt the value
                body[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
            } else {
                body = FrameCodec.replyBody(FrameCodec.STATUS_OK, new byte[] {1});
            }
            corruptNextBit = -1;
        }
        if (slowNextMillis > 0) {
            long ms = slowNextMillis;
            slowNextMillis = 0;
            try {
                flush();
                Thread.sleep(ms); // the injected fault is the delay itself
            } catch (InterruptedException | IOException e) {
                Thread.currentThread().interrupt();
            }
        }
        previousStatus = correct[0];
        previousPayload = Arrays.copyOfRange(correct, 1, correct.length);
        return body;
    }

    /**
     * Restores the snapshot that follows {@code head} on the channel. Its bytes are hashed as they arrive
     * and written to a file in the working directory; the service reads that file only once the digest
     * matches the stable one. No array of the snapshot's size is allocated here: a 100 MB array plus the
     * copies around it took seconds of garbage collection in a replica that is meanwhile catching up.
     * The channel's bytes are consumed whatever happens to the file, so the next frame is read in step.
     */
    private Frame.Restored restore(FrameCodec.RestoreHead head) throws IOException {
        long seq = head.sequence();
        Path file = null;
        OutputStream copy = null;
        String fileError = null;
        try {
            file = Files.createTempFile(Path.of("").toAbsolutePath(), "resh-restore-", ".snapshot");
            copy = Files.newOutputStream(file);
        } catch (IOException | RuntimeException e) {
            fileError = "cannot create a file for the snapshot: " + e;
        }
        try {
            MessageDigest sha = Digest.sha256();
            byte[] chunk = new byte[1 << 16];
            int remaining = head.snapshotBytes();
            while (remaining > 0) {
                int n = in.read(chunk, 0, Math.min(chunk.length, remaining));
                if (n < 0) {
                    throw new EOFException("channel closed inside a " + head.snapshotBytes() + "-byte snapshot, "
                            + remaining + " bytes short");
                }
                remaining -= n;
                sha.update(chunk, 0, n);
                if (copy != null) {
                    try {
                        copy.write(chunk, 0, n);
                    } catch (IOException e) {
                        fileError = "cannot write the snapshot to " + file + ": " + e.getMessage();
                        closeQuietly(copy);
                        copy = null;
                    }
                }
            }
            if (!Arrays.equals(sha.digest(), head.digest())) {
                return new Frame.Restored(seq, false, "snapshot bytes do not match the stable digest");
            }
            if (copy != null) {
                try {
                    copy.close();
                } catch (IOException e) {
                    fileError = "cannot write the snapshot to " + file + ": " + e.getMessage();
                } finally {
                    copy = null;
                }
            }
            if (fileError != null) {
                return new Frame.Restored(seq, false, fileError);
            }
            try (InputStream snapshot = new SnapshotFileInput(new FileInputStream(file.toFile()))) {
                service.restore(snapshot);
            } catch (IOException | RuntimeException e) {
                return new Frame.Restored(seq, false, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            keptSnapshot = null; // not kept: the host fetches snapshots of newer checkpoints only
            keptSnapshotSeq = -1;
            snapshotSizeHint = head.snapshotBytes();
            return new Frame.Restored(seq, true, "");
        } finally {
            if (copy != null) {
                closeQuietly(copy);
            }
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    System.err.println("resh replica " + index + ": cannot delete " + file + ": " + e.getMessage());
                }
            }
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // already reported as the write that failed
        }
    }

    private void inject(Frame.Inject i) throws IOException {
        InjectedFault[] all = InjectedFault.values();
        if (i.fault() >= all.length) {
            throw new FrameFormatException("unknown injected fault code " + i.fault());
        }
        InjectedFault fault = all[i.fault()];
        String detail;
        switch (fault) {
            case SLOW -> {
                slowNextMillis = Math.max(1, i.arg());
                detail = "next reply delayed by " + slowNextMillis + " ms";
            }
            case REPLY_CORRUPTION -> {
                corruptNextBit = Math.abs(i.arg());
                // Said before the reply exists: what happens to an empty value is said too, not a bit it has not got.
                detail = "next reply: bit " + corruptNextBit + " of the value flipped (counted modulo the value's bits;"
                        + " an empty value becomes the one byte 0x01)";
            }
            case BYZANTINE -> {
                byzantineNext = true;
                if (previousPayload == null && previousInPlaceLength > 0) {
                    // Nothing was written into the ring since that reply: it is still there to be copied.
                    previousPayload = shared.replies().copy(previousInPlace, previousInPlaceLength);
                }
                detail = "next reply replaced by a plausible wrong value";
            }
            case STATE_CORRUPTION -> {
                detail = StateCorruptor.flipRandomBit(service, i.arg());
                if (detail.startsWith(StateCorruptor.NOTHING_TO_FLIP) || detail.startsWith(StateCorruptor.FLIP_FAILED)) {
                    send(new Frame.Injected(i.fault(), false, detail));
                    return;
                }
            }
            case IPC_GARBAGE -> {
                byte[] garbage = new byte[64];
                new SplittableRandom(i.arg()).nextBytes(garbage);
                garbage[0] = 0x00; // never a valid magic
                synchronized (out) {
                    // confirm first: after the garbage the host can no longer read anything from us
                    codec.write(out, new Frame.Injected(i.fault(), true, "64 malformed bytes written on the IPC channel"));
                    out.write(garbage);
                    out.flush();
                }
                return;
            }
            default -> throw new FrameFormatException("fault " + fault.label() + " is delivered by the host, not the replica");
        }
        send(new Frame.Injected(i.fault(), true, detail));
    }

    private void send(Frame frame) throws IOException {
        synchronized (out) {
            codec.write(out, frame);
        }
    }

    private void flush() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }

    /**
     * An array for the next snapshot: the one two checkpoints back when it can hold what the last snapshot
     * held and no digest is still reading it, else a fresh one with an eighth more room than that. A large
     * state is then written without allocating anything large: a state that grew or shrank by a few bytes
     * used to cost two arrays of its size per checkpoint (a fresh one and its trimmed copy), and with them
     * collector pauses of 50-470 ms in every replica at once.
     */
    private byte[] reusableSnapshotArray() {
        int expected = keptSnapshot == null ? Math.max(8192, snapshotSizeHint) : Math.max(32, keptSnapshotBytes);
        byte[] spare = spareSnapshot;
        spareSnapshot = null;
        if (spare != null && spare.length >= expected && spare != keptSnapshot && digestsPending.get() == 0) {
            return spare;
        }
        return new byte[(int) Math.min(Integer.MAX_VALUE - 64L, expected + expected / 8L)];
    }

    private void sendDigest(long sequence, byte[] snapshot, int length) {
        byte[] digest;
        try {
            digest = Digest.of(snapshot, 0, length).bytes();
        } finally {
            digestsPending.decrementAndGet();
        }
        try {
            synchronized (out) {
                codec.write(out, new Frame.StateDigest(sequence, digest, length));
                out.flush();
            }
        } catch (IOException e) {
            // the host is gone; the main loop will see end of stream
        }
    }

    private void startHeartbeat() {
        if (heartbeatMillis <= 0) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(heartbeatMillis);
                    synchronized (out) {
                        codec.write(out, new Frame.Heartbeat());
                        out.flush();
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the host is gone; the main loop will see end of stream
            }
        }, "resh-heartbeat-" + index);
        t.setDaemon(true);
        t.start();
    }

    /**
     * A read-ahead buffer that says how much it holds. Each refill is one read of whatever the pipe
     * has (up to the buffer size), so "buffer empty" marks the end of the batch the host wrote.
     */
    private static final class ReadAhead extends java.io.BufferedInputStream {
        ReadAhead(java.io.InputStream in) {
            super(in, 1 << 16);
        }

        int buffered() {
            return count - pos;
        }

        byte[] buffer() {
            return buf;
        }

        int position() {
            return pos;
        }

        void skipBuffered(int n) {
            pos += n;
        }
    }

    /**
     * A restored snapshot read from its file, buffered for services that read it field by field; one that
     * reads it whole gets it in one array of the file's size ({@link FileInputStream#readAllBytes}), not
     * through the growing buffers of the generic implementation.
     */
    private static final class SnapshotFileInput extends java.io.BufferedInputStream {
        SnapshotFileInput(FileInputStream file) {
            super(file, 1 << 16);
        }

        @Override
        public synchronized byte[] readAllBytes() throws IOException {
            if (count - pos > 0) {
                return super.readAllBytes();
            }
            return in.readAllBytes();
        }
    }

    /**
     * Collects a snapshot into a given array sized for the previous one: a state that kept its size
     * (the usual case) is written into exactly one array of exactly the right length, with no growth
     * copies and no final copy.
     */
    private static final class SnapshotBuffer extends ByteArrayOutputStream {
        SnapshotBuffer(byte[] into) {
            super(0);
            buf = into;
        }

        /** The array written into: {@link #size()} bytes of it (it may have grown into a new one). */
        byte[] array() {
            return buf;
        }
    }
}
