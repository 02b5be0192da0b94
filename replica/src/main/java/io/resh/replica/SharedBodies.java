package io.resh.replica;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file that the host and one replica both map, through which large request and reply bodies travel
 * instead of through the pipes (docs/IPC.md, "Large bodies"). The frame still crosses the pipe, in order
 * with every other frame, but carries only where the body lies in the file: a 64 KiB body then costs one
 * copy in and one copy out of memory both processes see, instead of two copies through the kernel, the
 * pipe's page allocations and a wake-up per pipe-full.
 *
 * <p>The file holds two {@link Ring}s, requests (the host writes, the replica reads) and replies (the
 * replica writes, the host reads). A body is written before its frame goes into the pipe and read after
 * the frame came out of it; the pipe's system calls order the two, so the bodies need no fences of their
 * own. Each ring's reader publishes how far it has read, with release semantics, so that its writer knows
 * which space it may reuse. Nothing either side reads from the file is trusted: a position or length
 * outside the ring is a protocol fault of the replica that sent it, and a replica can scribble only on
 * its own file, so the host and the other replicas cannot be harmed by it.
 */
public final class SharedBodies {
    /** Bodies smaller than this go through the pipe as before: batched small frames cost less than a copy here. */
    public static final int MIN_BODY_BYTES = 16 * 1024;
    /** Each ring's header: the reader's published position, and the replica's ready mark (request ring only). */
    static final int HEADER_BYTES = 64;
    /** Both rings and their headers must fit one mapping, which Java limits to 2 GiB. */
    public static final int MAX_RING_BYTES = Integer.MAX_VALUE / 2 - HEADER_BYTES;
    private static final long READY = 0x5245_5348_5245_4144L; // "RESHREAD"
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** {@code sun.misc.Unsafe.invokeCleaner}, or null where the JDK does not offer it. */
    private static final MethodHandle UNMAP = unmapper();

    private final MappedByteBuffer map;
    private final Ring requests;
    private final Ring replies;

    private SharedBodies(MappedByteBuffer map, int ringBytes) {
        this.map = map;
        this.requests = new Ring(map, 0, ringBytes);
        this.replies = new Ring(map, HEADER_BYTES + ringBytes, ringBytes);
    }

    /**
     * Creates (or empties) the file with two rings of {@code ringBytes} each and maps it: the host's side.
     * The file is written full of zeros first, so that its space is taken now: a write into a mapped page
     * of a full file system (a {@code /dev/shm} at its limit) would kill the writing thread with a SIGBUS
     * instead of failing here, where the caller falls back to the pipes.
     */
    public static SharedBodies create(Path file, int ringBytes) throws IOException {
        if (ringBytes < MIN_BODY_BYTES || ringBytes > MAX_RING_BYTES) {
            throw new IllegalArgumentException("a shared ring must hold " + MIN_BODY_BYTES + " to " + MAX_RING_BYTES
                    + " bytes, not " + ringBytes);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = 2L * (HEADER_BYTES + ringBytes);
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 16);
            for (long at = 0; at < size; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                at += ch.write(zeros, at);
            }
            return new SharedBodies(ch.map(FileChannel.MapMode.READ_WRITE, 0, size), ringBytes);
        }
    }

    /**
     * Maps a file the host created, learns the ring size from the file's, and marks it ready: the
     * replica's side, before its HELLO.
     */
    public static SharedBodies open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long ring = size / 2 - HEADER_BYTES;
            if (size % 2 != 0 || ring < MIN_BODY_BYTES || ring > MAX_RING_BYTES) {
                throw new IOException("shared body file " + file + " has " + size + " bytes, not two rings");
            }
            SharedBodies bodies = new SharedBodies(ch.map(FileChannel.MapMode.READ_WRITE, 0, size), (int) ring);
            LONG.setRelease(bodies.requests.map, bodies.requests.base + 8, READY);
            return bodies;
        }
    }

    /** True once the replica mapped the file ({@link #open}); the host asks this after the replica's HELLO. */
    public boolean replicaReady() {
        return (long) LONG.getAcquire(requests.map, requests.base + 8) == READY;
    }

    /**
     * Unmaps the file now instead of whenever the collector finds the buffer unreachable: every replaced
     * replica leaves a mapping behind, and the pages of a deleted file stay in memory as long as it is mapped.
     * Nothing may touch this object afterwards (the caller guarantees it: an access would crash the JVM).
     */
    public void unmap() {
        if (UNMAP != null) {
            try {
                UNMAP.invokeExact((ByteBuffer) map);
            } catch (Throwable e) {
                // Left to the collector, as without the method.
            }
        }
    }

    private static MethodHandle unmapper() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(field.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Host → replica. */
    public Ring requests() {
        return requests;
    }

    /** Replica → host. */
    public Ring replies() {
        return replies;
    }

    /**
     * One direction: a single writer appends bodies at increasing positions (a body never wraps; one that
     * would not fit before the end starts at the beginning), a single reader takes them in the same order
     * and publishes the position it has read up to. The writer never overwrites what the reader has not
     * published as read; when the ring is full the body goes through the pipe instead.
     */
    public static final class Ring {
        private final ByteBuffer map;
        private final int base;
        private final int data;
        private final int capacity;
        /** Writer only: where the next body may start (a position counts every byte ever written, and skipped). */
        private long head;

        Ring(MappedByteBuffer map, int base, int capacity) {
            this.map = map;
            this.base = base;
            this.data = base + HEADER_BYTES;
            this.capacity = capacity;
        }

        /** The ring's size in bytes. */
        public int capacity() {
            return capacity;
        }

        /**
         * Writer: copies {@code length} bytes of {@code b} from {@code off} into the ring.
         *
         * @return the body's position, to be sent in its frame, or -1 if the ring has no room now
         */
        public long put(byte[] b, int off, int length) {
            long start = reserve(length);
            if (start < 0) {
                return -1;
            }
            map.put(data + (int) (start % capacity), b, off, length);
            head = start + length;
            return start;
        }

        /**
         * Writer: where a body of {@code length} bytes would start now, or -1 if the ring has no room for it.
         * Nothing is taken until {@link #written}: a reservation that is not used costs nothing.
         */
        long reserve(int length) {
            long start = head;
            int at = (int) (start % capacity);
            if (at + length > capacity) {
                start += capacity - at; // the rest of the ring is skipped: bodies are contiguous
                at = 0;
            }
            long read = (long) LONG.getAcquire(map, base);
            // The body overwrites what lay a turn before it; only the unread part, from 'read' up to 'head',
            // matters (the skipped end of this turn was never written). An empty ring takes any body that fits.
            if (length < 0 || length > capacity || (read < head && start + length - capacity > read)) {
                return -1;
            }
            return start;
        }

        /** Writer: the ring's memory from {@code start}, a position {@link #reserve} returned, for writing in place. */
        ByteBuffer writable(long start, int length) {
            return map.slice(data + (int) (start % capacity), length);
        }

        /** Writer: the body written in place at {@code start} is complete; the next one goes after it. */
        void written(long start, int length) {
            head = start + length;
        }

        /** Writer: a copy of a body written earlier and not yet overwritten (a reply a fault injection replays). */
        byte[] copy(long position, int length) {
            byte[] b = new byte[length];
            map.get(data + (int) (position % capacity), b, 0, length);
            return b;
        }

        /**
         * Reader: copies the body at {@code position} into a new array, after {@code lead} bytes left free for
         * the caller (the host puts the reply's status byte there), then publishes it as read. Where the body
         * lies is checked before the array is allocated.
         *
         * @throws FrameFormatException if the body does not lie inside the ring
         */
        public byte[] take(long position, int length, int lead) throws FrameFormatException {
            checkInside(position, length);
            byte[] body = new byte[lead + length];
            map.get(data + (int) (position % capacity), body, lead, length);
            release(position, length);
            return body;
        }

        /**
         * Reader: if the body at {@code position} has the same bytes as {@code b} from {@code off}, publishes it as
         * read and returns true without copying it; otherwise leaves it unread (to be {@link #take taken}).
         *
         * @throws FrameFormatException if the body does not lie inside the ring
         */
        public boolean releaseIfEqual(long position, int length, byte[] b, int off) throws FrameFormatException {
            checkInside(position, length);
            int at = data + (int) (position % capacity);
            if (map.slice(at, length).mismatch(ByteBuffer.wrap(b, off, length)) != -1) {
                return false;
            }
            release(position, length);
            return true;
        }

        /**
         * Reader: a read-only view of the body at {@code position}, without copying it. The writer may reuse
         * its space once it is {@link #release released}, so the view must not be used after that.
         *
         * @throws FrameFormatException if the body does not lie inside the ring
         */
        ByteBuffer view(long position, int length) throws FrameFormatException {
            checkInside(position, length);
            return map.slice(data + (int) (position % capacity), length).asReadOnlyBuffer();
        }

        /** Reader: publishes the body at {@code position} as read, so that the writer may reuse its space. */
        void release(long position, int length) {
            LONG.setRelease(map, base, position + length);
        }

        private void checkInside(long position, int length) throws FrameFormatException {
            if (position < 0 || length < 0 || length > capacity || position % capacity + length > capacity) {
                throw new FrameFormatException("shared body of " + length + " bytes at position " + position
                        + " does not lie inside the " + capacity + "-byte ring");
            }
        }
    }
}
