package io.resh.replica;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Entry point of a replica process; the host starts it, users never do.
 *
 * <pre>java ... io.resh.replica.ReplicaMain --service CLASS --index N [--heartbeat-ms 200]
 *     [--max-frame BYTES] [--max-snapshot BYTES] [--shared-bodies FILE]</pre>
 *
 * The process's stdin and stdout are the IPC channel. Before the service class is even loaded,
 * {@code System.out} is pointed at stderr (the replica's log), so nothing the service prints can
 * corrupt the channel.
 */
public final class ReplicaMain {
    /**
     * Exit status of a replica whose service class cannot be loaded or instantiated (its log says why): a
     * configuration error, the same at every restart, so the host stops a group that is starting at once.
     */
    public static final int EXIT_NO_SERVICE = 3;

    /**
     * The environment variable in which the replica's launcher leaves the descriptor its frames go to, when it
     * moved the channel off fd 1 and pointed fd 1 at stderr: then whatever writes on stdout (the JVM's own output,
     * native code, a child process that inherited it) lands in the replica's log, not among its frames. Unset,
     * the frames go to fd 1.
     */
    public static final String CHANNEL_FD_VARIABLE = "RESH_CHANNEL_FD";

    /** Exit status of a replica that cannot open the channel its launcher named (its log says why). */
    public static final int EXIT_NO_CHANNEL = 4;

    private ReplicaMain() {
    }

    public static void main(String[] args) throws Exception {
        // Not buffered here: the runtime encodes frames into a buffer of its own and writes it whole.
        DataOutputStream ipcOut = new DataOutputStream(channel(System.getenv(CHANNEL_FD_VARIABLE)));
        DataInputStream ipcIn = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));

        Map<String, String> opts = parse(args);
        String serviceClass = require(opts, "--service");
        int index = Integer.parseInt(require(opts, "--index"));
        long heartbeat = Long.parseLong(opts.getOrDefault("--heartbeat-ms", "200"));
        int maxFrame = Integer.parseInt(opts.getOrDefault("--max-frame", String.valueOf(16 << 20)));
        long maxSnapshot = Long.parseLong(opts.getOrDefault("--max-snapshot", String.valueOf(1L << 30)));

        ReplicatedService service;
        try {
            service = (ReplicatedService) Class.forName(serviceClass).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            // A constructor or static initializer that threw: its exception is the reason, not the wrapper around it.
            // Uncaught, a static initializer's failure ended the JVM with status 1, which the host took for a JVM
            // that could not start at all.
            boolean wrapped = e instanceof java.lang.reflect.InvocationTargetException || e instanceof ExceptionInInitializerError;
            Throwable why = wrapped && e.getCause() != null ? e.getCause() : e;
            System.err.println("resh replica " + index + ": cannot instantiate service " + serviceClass + ": "
                    + (e instanceof ExceptionInInitializerError ? "its static initializer threw " : "") + why);
            System.exit(EXIT_NO_SERVICE);
            return;
        }
        System.err.println("resh replica " + index + " (pid " + ProcessHandle.current().pid() + ") serving " + serviceClass);
        new ReplicaRuntime(service, index, new FrameCodec(maxFrame, maxSnapshot), ipcIn, ipcOut, heartbeat,
                sharedBodies(index, opts.get("--shared-bodies"))).run();
        System.exit(0);
    }

    /**
     * The stream the frames go to: the descriptor the launcher named, or fd 1. Java opens a descriptor it inherited
     * only by name; /proc/self/fd/N of a pipe is the same pipe (in append mode: nothing to truncate).
     */
    static FileOutputStream channel(String fd) {
        if (fd == null) {
            return new FileOutputStream(FileDescriptor.out);
        }
        try {
            if (!fd.matches("[0-9]{1,9}")) {
                throw new IOException("not a file descriptor number");
            }
            return new FileOutputStream("/proc/self/fd/" + fd, true);
        } catch (IOException e) {
            // Frames written to fd 1 now would land in the log: the host would wait for a hello that never comes.
            System.err.println("resh replica: cannot open the channel to the host, " + CHANNEL_FD_VARIABLE + "=" + fd
                    + ": " + e.getMessage());
            System.exit(EXIT_NO_CHANNEL);
            throw new IllegalStateException("unreachable");
        }
    }

    /** The host's shared body file, mapped (which the host sees after the hello); null for pipes only. */
    private static SharedBodies sharedBodies(int index, String file) {
        if (file == null) {
            return null;
        }
        try {
            return SharedBodies.open(Path.of(file));
        } catch (IOException | RuntimeException e) {
            System.err.println("resh replica " + index + ": cannot map the shared body file " + file
                    + ", large bodies go through the pipes: " + e);
            return null;
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            m.put(args[i], args[i + 1]);
        }
        return m;
    }

    private static String require(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            System.err.println("resh replica: missing " + name);
            System.exit(2);
        }
        return v;
    }
}
