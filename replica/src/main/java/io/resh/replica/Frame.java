package io.resh.replica;

/**
 * The messages on a replica's IPC channel (its stdin and stdout pipes). The byte layout lives in
 * {@link FrameCodec}; this type is what both ends reason about.
 */
public sealed interface Frame {

    /** Wire type code. */
    byte type();

    // ---- host → replica ----------------------------------------------------------------------

    /** Execute {@code payload} as request {@code sequence}, with the host's time and random seed. */
    record Request(long sequence, long timeMillis, long seed, byte[] payload) implements Frame {
        public byte type() {
            return FrameCodec.REQUEST;
        }
    }

    /**
     * A {@link Request} whose payload of {@code length} bytes lies at {@code position} in the request ring of
     * the replica's {@link SharedBodies} instead of in the frame.
     */
    record SharedRequest(long sequence, long timeMillis, long seed, long position, int length) implements Frame {
        public byte type() {
            return FrameCodec.REQUEST_SHARED;
        }
    }

    /** After executing every request up to {@code sequence}, snapshot, digest and report the digest. */
    record Checkpoint(long sequence) implements Frame {
        public byte type() {
            return FrameCodec.CHECKPOINT;
        }
    }

    /** Send the snapshot kept at checkpoint {@code sequence}. */
    record FetchSnapshot(long sequence) implements Frame {
        public byte type() {
            return FrameCodec.FETCH_SNAPSHOT;
        }
    }

    /** Replace the state with this snapshot of checkpoint {@code sequence}; its SHA-256 is {@code digest}. */
    record Restore(long sequence, byte[] digest, byte[] snapshot) implements Frame {
        public byte type() {
            return FrameCodec.RESTORE;
        }
    }

    /** Carry out an injected fault ({@link io.resh.core.InjectedFault} ordinal) with its argument. */
    record Inject(int fault, long arg) implements Frame {
        public byte type() {
            return FrameCodec.INJECT;
        }
    }

    /** Exit cleanly. */
    record Shutdown() implements Frame {
        public byte type() {
            return FrameCodec.SHUTDOWN;
        }
    }

    // ---- replica → host ----------------------------------------------------------------------

    /**
     * First frame a replica writes: it is up and speaks {@code protocol}. {@code requestPipeBytes} is the
     * capacity of the pipe the host writes requests into, as the replica's launcher measured it, or 0 when
     * unknown.
     */
    record Hello(int protocol, long pid, int requestPipeBytes, String service) implements Frame {
        /** The environment variable in which the replica's launcher leaves the request pipe's capacity. */
        public static final String PIPE_BYTES_VARIABLE = "RESH_REQUEST_PIPE_BYTES";

        /** The capacity the launcher left in {@code environment}, or 0 when it left none that reads as a size. */
        public static int requestPipeBytes(java.util.Map<String, String> environment) {
            String value = environment.get(PIPE_BYTES_VARIABLE);
            try {
                return value == null ? 0 : Math.max(0, Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        public byte type() {
            return FrameCodec.HELLO;
        }
    }

    /**
     * The reply to request {@code sequence}. {@code body[0]} is the status ({@link FrameCodec#STATUS_OK}
     * or {@link FrameCodec#STATUS_ERROR}); the rest is the payload, or the UTF-8 error text. The whole
     * body is what the host votes on.
     */
    record Reply(long sequence, byte[] body) implements Frame {
        public byte type() {
            return FrameCodec.REPLY;
        }
    }

    /**
     * A {@link Reply} with status {@code status} whose payload of {@code length} bytes lies at {@code position}
     * in the reply ring of the replica's {@link SharedBodies} instead of in the frame.
     */
    record SharedReply(long sequence, byte status, long position, int length) implements Frame {
        public byte type() {
            return FrameCodec.REPLY_SHARED;
        }
    }

    /** The state digest at checkpoint {@code sequence}. */
    record StateDigest(long sequence, byte[] digest, long snapshotBytes) implements Frame {
        public byte type() {
            return FrameCodec.DIGEST;
        }
    }

    /** The snapshot kept at checkpoint {@code sequence} (empty if that checkpoint is no longer kept). */
    record Snapshot(long sequence, byte[] snapshot) implements Frame {
        public byte type() {
            return FrameCodec.SNAPSHOT;
        }
    }

    /** Liveness, written by a timer inside the replica. */
    record Heartbeat() implements Frame {
        public byte type() {
            return FrameCodec.HEARTBEAT;
        }
    }

    /** The restore of checkpoint {@code sequence} finished; {@code ok} false with {@code detail} if not. */
    record Restored(long sequence, boolean ok, String detail) implements Frame {
        public byte type() {
            return FrameCodec.RESTORED;
        }
    }

    /**
     * The replica's answer to an injected fault: {@code detail} says exactly what it did, or, when it could
     * not carry the fault out ({@code carriedOut} false), why not.
     */
    record Injected(int fault, boolean carriedOut, String detail) implements Frame {
        public byte type() {
            return FrameCodec.INJECTED;
        }
    }

    /**
     * While executing request {@code sequence} the service tried something the sandbox forbids — a write
     * outside its allowed directories — and the operating system refused it. The reply is sent as usual;
     * this frame is the evidence ({@code operation} on {@code path}, and the OS's reason).
     */
    record ContractViolation(long sequence, String operation, String path, String detail) implements Frame {
        public byte type() {
            return FrameCodec.CONTRACT_VIOLATION;
        }
    }
}
