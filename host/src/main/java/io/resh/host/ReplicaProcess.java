package io.resh.host;

import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import io.resh.replica.FrameFormatException;
import io.resh.replica.FrameOutput;
import io.resh.replica.ReplicaMain;
import io.resh.replica.SharedBodies;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incarnation of a replica: its OS process and the two threads that move frames over its pipes.
 * The threads never decide anything; they post what they read (or how the channel broke) to the group
 * loop. The group loop never blocks on a replica: writes are queued here, so a stopped replica that no
 * longer drains its pipe only stalls its own writer thread.
 *
 * <p>One exception keeps a request from paying a thread hand-off: when nothing is queued and the pipe
 * provably has room, the group loop writes the batch itself. "Provably" is bookkeeping, not hope: a
 * replica that answered request #k has read every byte up to the end of #k's frame, so at most the bytes
 * sent after that can still sit in the pipe; if those plus the batch fit ({@link #inlineBytes}, from the
 * pipe's capacity the replica reported in its HELLO), the write can't block, even if the replica is
 * stopped. Without a reported capacity the bound is one page ({@value #INLINE_BYTES} bytes), which only a
 * lone small request meets; with the 1 MiB pipes of {@link ReplicaPipes} it is about 510 KiB, so at
 * moderate load batches go straight into the pipes instead of waking a writer thread per replica and
 * batch (kv-small at 400,000 req/s: TMR p90 0.49-3.7 ms before, 0.27-0.85 ms after, docs/BENCHMARKS.md).
 * A lone request whose body goes through the shared file (below) counts as the small frame that crosses
 * the pipe: the loop copies the body into the file itself.
 *
 * <p>Request and reply bodies of {@link SharedBodies#MIN_BODY_BYTES} or more travel through a file both
 * processes map ({@link SharedBodies}), created here before the process starts and deleted once the replica
 * said hello (the mappings outlive the name); only their frames cross the pipes.
 */
final class ReplicaProcess {
    /** Bytes of a fetched snapshot hashed between two reports of progress. */
    static final int HASH_CHUNK = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaProcess.class);
    /**
     * Posted to the group loop: the frames one read from the pipe delivered, in order (one wake-up of the
     * loop for all of them instead of one per frame).
     */
    record Inbound(ReplicaProcess source, Frame[] frames) {
    }

    /** Posted to the group loop: a snapshot with the digest of its bytes, computed on the reader thread. */
    record HashedSnapshot(ReplicaProcess source, Frame.Snapshot snapshot, Digest digest) {
    }

    /** Posted once the OS process runs, before anything it sends. */
    record Started(ReplicaProcess source, long pid) {
    }

    /** Posted instead of {@link Started} when the OS process could not be started. */
    record StartFailed(ReplicaProcess source, String reason) {
    }

    /** Starts the OS process; called on this incarnation's own thread. */
    interface Starter {
        /** @param sharedBodies the shared body file's absolute path, or null for none */
        Process start(String sharedBodies) throws IOException;
    }

    /** Posted when the channel broke: end of stream, exit, or bytes that are not frames. */
    record Broken(ReplicaProcess source, FaultKind kind, String evidence) {
    }

    final int slot;
    final int incarnation;
    final int cpu;
    /** Null until the starter thread started it. */
    private volatile Process process;
    private final FrameCodec codec;
    private final Consumer<Object> inbox;
    /** Largest backlog plus batch the group loop writes itself into a pipe of unknown capacity: one page. */
    static final int INLINE_BYTES = 4096;
    private static final int PAGE_BYTES = 4096;
    private static final int SHARED_REQUEST_FRAME_BYTES = FrameCodec.encodedBytes(new Frame.SharedRequest(0, 0, 0, 0, 0));
    /** Most frames posted to the group loop as one message. */
    static final int MAX_BATCH = 256;

    private final LinkedBlockingQueue<List<Frame>> outbound = new LinkedBlockingQueue<>();
    /** Null until the process runs. */
    private volatile FrameOutput out;
    /** Held while writing to {@link #out}, by the writer thread or by the group loop writing inline. */
    private final ReentrantLock pipe = new ReentrantLock();
    /** Batches queued for the writer thread and not yet flushed; inline writes wait until it is zero, to keep order. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Whether the replica has sent any frame (read on its reader thread only). */
    private boolean spoke;
    /** {sequence, channel offset at the end of its frame} of the last request of each batch, oldest first. */
    private final ConcurrentLinkedQueue<long[]> requestEnds = new ConcurrentLinkedQueue<>();
    /** Bytes handed to the channel so far. Group loop only. */
    private long sentBytes;
    /** Channel offset the replica has provably read up to: the end of the newest answered request it was sent. */
    private volatile long readBytes;
    /** Bytes of the replica's frames read from its pipe or hashed so far; written by the reader thread alone. */
    private volatile long progress;
    private volatile boolean killed;
    /** SIGKILL asked for, to be sent as soon as the process exists. */
    private volatile boolean destroy;
    /** See {@link #markStopped}. Group loop only. */
    private boolean stopped;
    /** Starts the process, then reads its output until every holder of the pipe (the process tree) has closed it. */
    private final Thread reader;
    /** Where to try to create the shared body file, in order (empty: pipes only). */
    private final List<Path> sharedDirs;
    /** The shared body file's name up to its random part (see {@link SharedBodyFile}). */
    private final String sharedPrefix;
    /** The shared body file, once created. */
    private volatile Path sharedFile;
    private final int sharedRingBytes;
    /** The mapped file, null once unmapped. Written under {@link #pipe}; read by the writers under it and by the reader. */
    private volatile SharedBodies shared;
    /** Set by the reader when the replica's hello showed it mapped the file: request bodies may go there from then on. */
    private volatile boolean sharedReady;
    /** Largest backlog plus batch the group loop writes itself; set by the reader from the replica's hello. */
    private volatile int inlineBytes = INLINE_BYTES;
    /** Bodies that went through the shared file, both ways, counted for the group's status. */
    private final LongAdder sharedBodies;
    /** The group's large replies read last, shared by its readers (see {@link RecentReplies}). */
    private final RecentReplies recentReplies;

    /**
     * Starts the process on this incarnation's reader thread, not the caller's: forking a JVM takes
     * milliseconds (tens on a loaded machine) that the group loop would take from every client request.
     * {@link Started} or {@link StartFailed} is posted first, then what the process sends.
     */
    ReplicaProcess(int slot, int incarnation, int cpu, Starter starter, FrameCodec codec, Consumer<Object> inbox) {
        this(slot, incarnation, cpu, starter, codec, inbox, "", List.of(), 0, new LongAdder(), new RecentReplies());
    }

    /**
     * @param group the group's name, for the shared body file's name
     * @param sharedDirs where to try to create the file for large bodies, in order; empty for pipes only
     * @param sharedRingBytes the size of each of its two rings
     * @param sharedBodies counts the bodies that went through it
     * @param recentReplies the large replies the group's other replicas gave last
     */
    ReplicaProcess(int slot, int incarnation, int cpu, Starter starter, FrameCodec codec, Consumer<Object> inbox,
                   String group, List<Path> sharedDirs, int sharedRingBytes, LongAdder sharedBodies,
                   RecentReplies recentReplies) {
        this.sharedDirs = sharedDirs;
        this.sharedPrefix = SharedBodyFile.prefix(group, slot, incarnation);
        this.sharedRingBytes = sharedRingBytes;
        this.sharedBodies = sharedBodies;
        this.recentReplies = recentReplies;
        this.slot = slot;
        this.incarnation = incarnation;
        this.cpu = cpu;
        this.codec = codec;
        this.inbox = inbox;
        String name = "resh-replica-" + slot + "." + incarnation;
        this.reader = new Thread(() -> startThenRead(starter, name), name + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void startThenRead(Starter starter, String name) {
        if (killed) {
            return; // replaced before it even started
        }
        Process p;
        try {
            shared = mapShared();
            if (killed) {
                releaseShared(); // replaced (or the group closed) while the file was made: start nothing
                return;
            }
            p = starter.start(shared == null ? null : sharedFile.toString());
        } catch (IOException | RuntimeException e) {
            releaseShared();
            // A file-system error without a reason has only the path for a message: keep what kind it was.
            boolean pathOnly = e instanceof java.nio.file.FileSystemException f && f.getReason() == null;
            inbox.accept(new StartFailed(this, e.getMessage() != null && !pathOnly ? e.getMessage() : e.toString()));
            return;
        }
        out = new FrameOutput(p.getOutputStream(), 1 << 16);
        process = p;
        if (destroy) {
            p.destroyForcibly(); // killed while starting; the end of its stream is reported below as usual
        }
        inbox.accept(new Started(this, p.pid()));
        Thread writer = new Thread(this::writeLoop, name + "-writer");
        writer.setDaemon(true);
        writer.start();
        try {
            readLoop();
        } finally {
            releaseShared();
        }
    }

    /**
     * Creates and maps the shared body file in the first directory that takes it (a small {@code /dev/shm}, as
     * containers have, may be full); null (pipes only) if none is wanted or none can.
     */
    private SharedBodies mapShared() {
        List<String> failures = new ArrayList<>();
        for (Path dir : sharedDirs) {
            try {
                Files.createDirectories(dir);
                SharedBodyFile.sweep(dir);
                sharedFile = Files.createTempFile(dir, sharedPrefix, "");
                return SharedBodies.create(sharedFile, sharedRingBytes);
            } catch (IOException | RuntimeException e) {
                failures.add(dir + ": " + e);
                deleteSharedFile();
                sharedFile = null;
            }
        }
        if (!failures.isEmpty()) {
            LOG.warn("replica {}: cannot create a shared body file ({}); its large bodies go through the pipes",
                    slot, String.join("; ", failures));
        }
        return null;
    }

    /**
     * Unmaps the shared file and deletes it. Called by the reader thread once it reads no more; the lock keeps
     * a writer from copying into the mapping while it goes (an access after the unmap would crash the host).
     */
    private void releaseShared() {
        pipe.lock();
        try {
            SharedBodies s = shared;
            shared = null;
            sharedReady = false;
            if (s != null) {
                deleteSharedFile();
                s.unmap();
            }
        } finally {
            pipe.unlock();
        }
    }

    private void deleteSharedFile() {
        Path file = sharedFile;
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("replica {}: cannot delete {}: {}", slot, sharedFile, e.toString());
        }
    }

    /** The OS pid, or -1 while the process is still being started. */
    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    /** True while the process runs or is still being started (and was not killed). */
    boolean alive() {
        Process p = process;
        return p == null ? !killed : p.isAlive();
    }

    /** Sends a batch with one flush: queued for the writer thread, or written right here when that can't block. */
    void send(List<Frame> batch) {
        if (killed) {
            return;
        }
        long backlog = sentBytes - readBytes;
        long bytes = 0;
        long pipeBytes = 0;
        int viaFile = 0;
        boolean bulky = false;
        long lastRequest = -1;
        long lastRequestEnd = 0;
        for (Frame f : batch) {
            int encoded = FrameCodec.encodedBytes(f);
            bytes += encoded;
            if (takesFile(f)) {
                viaFile++;
                pipeBytes += SHARED_REQUEST_FRAME_BYTES;
            } else {
                pipeBytes += encoded;
                bulky |= encoded > INLINE_BYTES;
            }
            if (f instanceof Frame.Request r) {
                lastRequest = r.sequence();
                lastRequestEnd = sentBytes + bytes;
            }
        }
        sentBytes += bytes;
        if (lastRequest >= 0) {
            requestEnds.add(new long[] {lastRequest, lastRequestEnd});
        }
        FrameOutput o = out;
        // A lone large request crosses the pipe as a small frame: the loop copies its body into the file itself
        // instead of waking the writer thread (if the file has no room for it, writeInline leaves it to the writer
        // thread). Large frames through the pipe, or several large bodies, stay with the writer thread: copying
        // them on the loop costs every other request more than the writer's wake-up saves (docs/BENCHMARKS.md).
        if (o != null && queued.get() == 0 && !bulky && viaFile <= 1 && backlog + pipeBytes <= inlineBytes
                && writeInline(o, batch)) {
            return;
        }
        queued.incrementAndGet();
        outbound.add(batch);
    }

    /**
     * Largest backlog plus batch the group loop may write itself into a pipe of {@code capacity} bytes (0:
     * unknown) without ever blocking. A pipe holds whole pages, and a write that does not fit in the rest of the
     * last one starts a new page, so a page may hold little more than half a page of data, plus the page the
     * replica is reading from and the last one: {@code (capacity - 3 pages) / 2}.
     */
    static int inlineBytes(int capacity) {
        return capacity <= 0 ? INLINE_BYTES : Math.max(0, (capacity - 3 * PAGE_BYTES) / 2);
    }

    /**
     * The bound for a replica that reported {@code reported} bytes of request pipe when this host asked for
     * {@code asked} ({@link ReplicaPipes#bytes}, 0 when it asked for nothing). No more than was asked for is
     * believed: a HELLO may be corrupt (a flipped bit), and a bound beyond the real pipe would let a stopped
     * replica block the group loop.
     */
    static int inlineBytes(int reported, int asked) {
        return inlineBytes(Math.min(reported, asked));
    }

    /** The current bound of {@link #inlineBytes(int)}. */
    int inlineBytes() {
        return inlineBytes;
    }

    private boolean writeInline(FrameOutput out, List<Frame> batch) {
        if (!pipe.tryLock()) {
            return false;
        }
        try {
            for (int i = 0; i < batch.size(); i++) {
                Frame f = batch.get(i);
                if (writeViaFile(out, f)) {
                    continue;
                }
                if (FrameCodec.encodedBytes(f) > INLINE_BYTES) {
                    // Counted as a small frame, but the file is gone (the replica's output ended) or full: the
                    // whole body would go into a pipe that may not take it. The writer thread takes over, in
                    // order: it waits for this lock, and nothing is written inline while it has a batch.
                    queued.incrementAndGet();
                    outbound.add(List.copyOf(batch.subList(i, batch.size())));
                    break;
                }
                codec.write(out, f);
            }
            out.flush();
        } catch (IOException e) {
            // The reader reports the broken channel, as for the writer thread.
        } finally {
            pipe.unlock();
        }
        return true;
    }

    /** SIGKILL. Idempotent. */
    void kill() {
        killed = true;
        crash();
        outbound.clear();
        queued.incrementAndGet();
        outbound.add(List.of()); // wake the writer so it sees 'killed'
    }

    /** SIGKILL to the process, now or as soon as it has started; its end is reported like any crash. */
    void crash() {
        destroy = true;
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** The host stops this process (an injected hang, SIGSTOP). Group loop only. */
    void markStopped() {
        stopped = true;
    }

    /** The host stopped this process: its silence says nothing about the request it was executing. */
    boolean stoppedByHost() {
        return stopped;
    }

    /** The host sent this process SIGKILL (an injected crash or a replacement): its death says nothing about a request. */
    boolean killedByHost() {
        return destroy;
    }

    /** Stops the process politely, then forcibly. */
    void shutdown() {
        send(List.of(new Frame.Shutdown()));
        Process p = process;
        if (p == null) {
            kill();
            return;
        }
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        killed = true;
    }

    Process process() {
        return process;
    }

    /**
     * True once this incarnation can do nothing more: its reader thread has ended (the process never
     * started, or every process holding its output pipe closed it) and the process has exited.
     */
    boolean gone() {
        Process p = process;
        return !reader.isAlive() && (p == null || !p.isAlive());
    }

    /** Waits until {@link #gone()} or {@code deadlineNanos} (of {@link System#nanoTime}); returns {@link #gone()}. */
    boolean awaitGone(long deadlineNanos) throws InterruptedException {
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
        Process p = process;
        if (p != null) {
            p.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return gone();
    }

    /** True if {@code f} is a request whose body would go through the shared file, not the pipe. */
    private boolean takesFile(Frame f) {
        SharedBodies s = shared;
        return sharedReady && s != null && f instanceof Frame.Request r && r.payload().length >= SharedBodies.MIN_BODY_BYTES
                && r.payload().length <= s.requests().capacity();
    }

    /** Writes one frame, a large request's body into the shared file when there is room. Under {@link #pipe}. */
    private void write(FrameOutput out, Frame f) throws IOException {
        if (!writeViaFile(out, f)) {
            codec.write(out, f);
        }
    }

    /** Writes a large request as its body in the shared file and a small frame; false if it is none or the file can't. */
    private boolean writeViaFile(FrameOutput out, Frame f) throws IOException {
        SharedBodies s = shared;
        if (sharedReady && s != null && f instanceof Frame.Request r && r.payload().length >= SharedBodies.MIN_BODY_BYTES) {
            byte[] payload = r.payload();
            long at = s.requests().put(payload, 0, payload.length);
            if (at >= 0) {
                sharedBodies.increment();
                codec.write(out, new Frame.SharedRequest(r.sequence(), r.timeMillis(), r.seed(), at, payload.length));
                return true;
            }
        }
        return false;
    }

    /**
     * A reply whose payload the replica put in the shared file, as the reply it stands for: the payload copied
     * out (and once more for the client, see {@link RecentReplies}), or, if another replica's reply to the same
     * request already was and has the same bytes, that reply's array (compared in the file, not copied).
     */
    private Frame.Reply sharedReply(Frame.SharedReply r) throws FrameFormatException {
        SharedBodies s = shared;
        if (s == null) {
            throw new FrameFormatException("reply #" + r.sequence() + " says its payload is in a shared body file, but this"
                    + " replica was given none");
        }
        sharedBodies.increment();
        boolean late = recentReplies.late(r.sequence());
        byte[] peer = late ? null : recentReplies.get(r.sequence());
        if (peer != null && peer.length == r.length() + 1 && peer[0] == r.status()
                && s.replies().releaseIfEqual(r.position(), r.length(), peer, 1)) {
            return new Frame.Reply(r.sequence(), peer);
        }
        byte[] body = s.replies().take(r.position(), r.length(), 1);
        body[0] = r.status();
        if (!late) {
            byte[] payload = r.status() == FrameCodec.STATUS_OK ? Arrays.copyOfRange(body, 1, body.length) : null;
            recentReplies.put(r.sequence(), body, payload);
        }
        return new Frame.Reply(r.sequence(), body);
    }

    /** After the replica's hello: it mapped the shared file (or not), whose name is no longer needed. */
    private void hello(Frame.Hello h) {
        inlineBytes = inlineBytes(h.requestPipeBytes(), ReplicaPipes.bytes());
        SharedBodies s = shared;
        if (s != null) {
            sharedReady = s.replicaReady();
            deleteSharedFile();
        }
    }

    /**
     * Bytes of the replica's frames read from its pipe, a frame whole or not, or hashed so far: work on what the
     * replica sent that the group loop has not seen yet (see {@link GroupLoop}'s timers).
     */
    long progress() {
        return progress;
    }

    /**
     * The digest of a fetched snapshot, hashed {@value #HASH_CHUNK} bytes at a time, each chunk reported to
     * {@code done}. Hashing 16 MB took the reader a second in a host whose SHA-256 still ran interpreted, and the
     * replica was taken for hung meanwhile.
     */
    static Digest hash(byte[] data, LongConsumer done) {
        MessageDigest sha = Digest.sha256();
        for (int at = 0; at < data.length; at += HASH_CHUNK) {
            int n = Math.min(HASH_CHUNK, data.length - at);
            sha.update(data, at, n);
            done.accept(n);
        }
        return Digest.wrap(sha.digest());
    }

    private void readLoop() {
        InputStream pipe = new FilterInputStream(process.getInputStream()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    progress += n; // written by this reader thread alone
                }
                return n;
            }
        };
        try (FrameInput in = new FrameInput(pipe)) {
            Frame[] batch = new Frame[MAX_BATCH];
            while (true) {
                Frame frame = in.next(codec);
                int n = 0;
                while (frame != null) {
                    if (frame instanceof Frame.SharedReply r) {
                        frame = sharedReply(r);
                    }
                    if (frame instanceof Frame.Reply r) {
                        answered(r.sequence());
                    } else if (frame instanceof Frame.Hello h) {
                        hello(h);
                    }
                    if (frame instanceof Frame.Snapshot snap) {
                        n = flush(batch, n);
                        // Hashed here, not on the group loop: it would stall every request for as long.
                        inbox.accept(new HashedSnapshot(this, snap, hash(snap.snapshot(), hashed -> progress += hashed)));
                    } else {
                        batch[n++] = frame;
                    }
                    // More in this batch only if the next frame is already whole in the buffer: never wait
                    // for the pipe while frames read so far sit undelivered.
                    if (n == MAX_BATCH || !in.holdsWholeFrame()) {
                        break;
                    }
                    frame = in.next(codec);
                }
                flush(batch, n);
                if (frame == null) {
                    String exit = exitDescription();
                    // Only before its first frame: later, status 3 is the service's own System.exit, a crash.
                    int code = spoke || process.isAlive() ? -1 : process.exitValue();
                    if (code == ReplicaMain.EXIT_NO_SERVICE) {
                        inbox.accept(new Broken(this, FaultKind.START_FAILURE, "its service class cannot be instantiated ("
                                + exit + "; its log says why)"));
                    } else if (code > 0 && code < 128) {
                        // Exited on its own (not by a signal) before saying hello: the JVM refused a flag, or the
                        // java binary or the main class is missing. Every restart would do the same.
                        inbox.accept(new Broken(this, FaultKind.START_FAILURE, "its process could not start ("
                                + exit + " before its first frame; its log says why)"));
                    } else if (code == 0) {
                        // Also deterministic, and a replica never exits 0 before its hello (it waits for the host's
                        // frames): taken for a crash, it was restarted for the whole startTimeout.
                        inbox.accept(new Broken(this, FaultKind.START_FAILURE, "its process ended at once (" + exit
                                + " before its first frame: is `java` a Java runtime, and do jvmArgs hold an option that"
                                + " prints and exits, such as -version?)"));
                    } else {
                        inbox.accept(new Broken(this, FaultKind.CRASH, exit));
                    }
                    return;
                }
            }
        } catch (FrameFormatException e) {
            inbox.accept(new Broken(this, FaultKind.PROTOCOL, e.getMessage()));
        } catch (EOFException e) {
            inbox.accept(new Broken(this, FaultKind.CRASH, "channel closed inside a frame; " + exitDescription()));
        } catch (IOException e) {
            inbox.accept(new Broken(this, FaultKind.CRASH, "channel failed (" + e.getMessage() + "); " + exitDescription()));
        }
    }

    /** Posts the first {@code n} frames of {@code batch} as one message; returns 0 (the batch is empty again). */
    private int flush(Frame[] batch, int n) {
        if (n > 0) {
            spoke = true;
            inbox.accept(new Inbound(this, Arrays.copyOf(batch, n)));
        }
        return 0;
    }

    /** Advances what the replica has provably read: everything up to the end of each answered request's frame. */
    private void answered(long sequence) {
        long[] e;
        while ((e = requestEnds.peek()) != null && e[0] <= sequence) {
            readBytes = e[1];
            requestEnds.poll();
        }
    }

    /** The process's exit status (128 + N for a death by signal N), or -1 while it runs or before it started. */
    int exitStatus() {
        Process p = process;
        return p == null || p.isAlive() ? -1 : p.exitValue();
    }

    private String exitDescription() {
        try {
            if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
                int code = process.exitValue();
                return code > 128 ? "process exited with code " + code + " (signal " + (code - 128) + ")"
                        : "process exited with code " + code;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "process closed its output but is still running";
    }

    private void writeLoop() {
        try {
            while (!killed) {
                List<Frame> batch = outbound.take();
                int written = 0;
                pipe.lock();
                try {
                    do {
                        for (Frame f : batch) {
                            write(out, f);
                        }
                        written++;
                        batch = outbound.poll();
                    } while (batch != null && !killed);
                    out.flush();
                } finally {
                    pipe.unlock();
                    queued.addAndGet(-written);
                }
                if (batch != null) {
                    queued.decrementAndGet(); // taken but not written: killed
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The reader reports the broken channel; a replica that stopped reading is caught as hung.
        } finally {
            pipe.lock();
            try {
                out.close();
            } catch (IOException e) {
                // the process is gone or going
            } finally {
                pipe.unlock();
            }
        }
    }

    /**
     * The pipe from the replica, buffered, able to tell whether the next frame is already whole in its
     * buffer (from the frame header's length field) without a system call.
     */
    private static final class FrameInput extends BufferedInputStream {
        final DataInputStream data = new DataInputStream(this);

        FrameInput(InputStream in) {
            super(in, 1 << 16);
        }

        boolean holdsWholeFrame() {
            return FrameCodec.wholeFrameBytes(buf, pos, count - pos) >= 0;
        }

        /** The next frame: decoded in place when the buffer holds all of it, else read through the stream. */
        Frame next(FrameCodec codec) throws IOException {
            int whole = FrameCodec.wholeFrameBytes(buf, pos, count - pos);
            if (whole < 0) {
                return codec.read(data);
            }
            Frame frame = codec.decode(buf, pos);
            pos += whole;
            return frame;
        }
    }
}
