package io.resh.host.testing;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A small stateful service for host tests. Requests are text: {@code add:N} adds N and returns the
 * total, {@code get} returns it, {@code fill:N} grows a state blob to N bytes (for snapshot-size tests),
 * {@code dump} returns the blob,
 * {@code time} returns the host-chosen time, {@code rand} a host-seeded random number, {@code clock} the replica's
 * own {@code System.nanoTime()} (the nondeterminism a newcomer's service has, different in every replica), {@code fail}
 * throws, {@code assert} throws an {@link AssertionError}, {@code poison} answers differently in replica 1 (a deterministic bug in one version),
 * {@code halt} kills the replica's JVM with {@code Runtime.halt(70)} in every replica (a request of death),
 * {@code sleep:N} takes N ms, saying so in the replica's log first, {@code spin} loops forever in every
 * replica (an infinite loop on some input: a request that hangs every replica), {@code spin1} does so in
 * replica 1 only, and {@code haltOrSpin} halts replica 0 and spins in the others.
 */
public final class CounterService implements ReplicatedService {
    private long total;
    private byte[] blob = new byte[64];
    /** Never set: a volatile read per turn keeps the JIT from reasoning the busy loop away. */
    private volatile boolean stopSpinning;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        String r = new String(request, StandardCharsets.UTF_8);
        String out;
        if (r.startsWith("add:")) {
            total += Long.parseLong(r.substring(4));
            blob[(int) (Math.floorMod(total, blob.length))] ^= (byte) total;
            out = Long.toString(total);
        } else if (r.equals("get")) {
            out = Long.toString(total);
        } else if (r.startsWith("fill:")) {
            blob = new byte[Integer.parseInt(r.substring(5))];
            for (int i = 0; i < blob.length; i++) {
                blob[i] = (byte) (i * 31 + total);
            }
            out = "filled " + blob.length;
        } else if (r.equals("dump")) {
            return blob.clone();
        } else if (r.equals("time")) {
            out = Long.toString(ctx.timeMillis());
        } else if (r.equals("clock")) {
            out = Long.toString(System.nanoTime());
        } else if (r.equals("rand")) {
            out = Long.toString(ctx.random().nextLong());
        } else if (r.equals("fail")) {
            throw new IllegalStateException("asked to fail at #" + ctx.sequence());
        } else if (r.equals("assert")) {
            throw new AssertionError("asked to fail an assertion at #" + ctx.sequence());
        } else if (r.equals("halt") || (r.equals("haltOrSpin") && ctx.replicaIndex() == 0)) {
            System.err.println("request #" + ctx.sequence() + " is 'halt': halting the JVM");
            Runtime.getRuntime().halt(70);
            out = "unreachable";
        } else if (r.startsWith("sleep:")) {
            System.err.println("request #" + ctx.sequence() + " sleeps " + r.substring(6) + " ms");
            try {
                Thread.sleep(Long.parseLong(r.substring(6)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out = "slept";
        } else if (r.equals("spin") || (r.equals("spin1") && ctx.replicaIndex() == 1) || r.equals("haltOrSpin")) {
            System.err.println("request #" + ctx.sequence() + " is '" + r + "': spinning forever");
            long turns = 0;
            while (!stopSpinning) {
                turns++;
            }
            out = "spun " + turns;
        } else if (r.equals("freeze")) {
            // Every thread of the process stops (the heartbeat's too), as in a JVM frozen by its heap or a
            // native call: the process stops itself.
            System.err.println("request #" + ctx.sequence() + " is 'freeze': stopping the whole process");
            try {
                new ProcessBuilder("kill", "-STOP", Long.toString(ProcessHandle.current().pid())) // stdout is the IPC channel
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out = "thawed";
        } else if (r.equals("poison")) {
            out = ctx.replicaIndex() == 1 ? "wrong" : "right";
        } else {
            out = "echo:" + r;
        }
        return out.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeLong(total);
        d.writeInt(blob.length);
        d.write(blob);
        d.flush();
    }

    @Override
    public void restore(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        total = d.readLong();
        blob = new byte[d.readInt()];
        d.readFully(blob);
    }
}
