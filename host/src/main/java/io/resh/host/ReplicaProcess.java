package io.resh.host;

import io.resh.core.FaultKind;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import io.resh.replica.FrameFormatException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One incarnation of a replica: its OS process and the two threads that move frames over its pipes.
 * The threads never decide anything; they post what they read (or how the channel broke) to the group
 * loop. The group loop never blocks on a replica: writes are queued here, so a stopped replica that no
 * longer drains its pipe only stalls its own writer thread.
 */
final class ReplicaProcess {
    /** Posted to the group loop. */
    record Inbound(ReplicaProcess source, Frame frame) {
    }

    /** Posted when the channel broke: end of stream, exit, or bytes that are not frames. */
    record Broken(ReplicaProcess source, FaultKind kind, String evidence) {
    }

    final int slot;
    final int incarnation;
    final int cpu;
    private final Process process;
    private final FrameCodec codec;
    private final Consumer<Object> inbox;
    private final LinkedBlockingQueue<List<Frame>> outbound = new LinkedBlockingQueue<>();
    private volatile boolean killed;

    ReplicaProcess(int slot, int incarnation, int cpu, Process process, FrameCodec codec, Consumer<Object> inbox) {
        this.slot = slot;
        this.incarnation = incarnation;
        this.cpu = cpu;
        this.process = process;
        this.codec = codec;
        this.inbox = inbox;
        String name = "resh-replica-" + slot + "." + incarnation;
        Thread reader = new Thread(this::readLoop, name + "-reader");
        reader.setDaemon(true);
        reader.start();
        Thread writer = new Thread(this::writeLoop, name + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Queues a batch; it is written with one flush. */
    void send(List<Frame> batch) {
        if (!killed) {
            outbound.add(batch);
        }
    }

    /** SIGKILL. Idempotent. */
    void kill() {
        killed = true;
        process.destroyForcibly();
        outbound.clear();
        outbound.add(List.of()); // wake the writer so it sees 'killed'
    }

    /** Stops the process politely, then forcibly. */
    void shutdown() {
        send(List.of(new Frame.Shutdown()));
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
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

    private void readLoop() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16))) {
            while (true) {
                Frame frame = codec.read(in);
                if (frame == null) {
                    inbox.accept(new Broken(this, FaultKind.CRASH, exitDescription()));
                    return;
                }
                inbox.accept(new Inbound(this, frame));
            }
        } catch (FrameFormatException e) {
            inbox.accept(new Broken(this, FaultKind.PROTOCOL, e.getMessage()));
        } catch (EOFException e) {
            inbox.accept(new Broken(this, FaultKind.CRASH, "channel closed inside a frame; " + exitDescription()));
        } catch (IOException e) {
            inbox.accept(new Broken(this, FaultKind.CRASH, "channel failed (" + e.getMessage() + "); " + exitDescription()));
        }
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
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16))) {
            while (!killed) {
                List<Frame> batch = outbound.take();
                do {
                    for (Frame f : batch) {
                        codec.write(out, f);
                    }
                    batch = outbound.poll();
                } while (batch != null && !killed);
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The reader reports the broken channel; a replica that stopped reading is caught as hung.
        }
    }
}
