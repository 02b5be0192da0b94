package io.resh.cluster;

import io.resh.core.Digest;
import io.resh.host.Checkpoint;
import io.resh.host.ConfigFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One cluster host in its own JVM for the multi-process tests, steered over stdin. Each command line is
 * {@code TAG COMMAND ARGS}; each answer is {@code TAG OK payload} or {@code TAG ERR message} on stdout.
 * Commands: {@code status}, {@code checkpoint}, {@code group-checkpoint}, {@code corrupt-state REPLICA}, {@code add-peer ID RAFT CLIENT},
 * {@code remove-peer ID}. Prints {@code READY} once the front door listens.
 */
public final class TestHostMain {
    private TestHostMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        boolean join = args.length > 2 && args[2].equals("--join");
        ClusterNode node = ClusterHost.start(file, ConfigFile.readTree(file), args[1], join, List.of(ClusterHost::logEvent));
        System.out.println("READY " + node.clientAddress());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w.length < 2) {
                continue;
            }
            String answer;
            try {
                answer = "OK " + run(node, w);
            } catch (Exception e) {
                answer = "ERR " + String.valueOf(e).replace('\n', ' ');
            }
            synchronized (System.out) {
                System.out.println(w[0] + " " + answer);
                System.out.flush();
            }
        }
        node.close();
    }

    private static String run(ClusterNode node, String[] w) throws Exception {
        switch (w[1]) {
            case "status":
                return node.status().toJson();
            case "checkpoint": {
                Checkpoint cp = node.checkpointNow();
                Digest d = cp.digest();
                return cp.sequence() + " " + (d == null ? "-" : d.hex());
            }
            case "group-checkpoint":
                node.group().checkpointNow();
                return "asked";
            case "corrupt-state":
                return node.group().faults().corruptState(Integer.parseInt(w[2]), 7).get(10, TimeUnit.SECONDS);
            case "add-peer":
                node.addPeer(ClusterPeer.of(w[2], w[3], w[4]));
                return "added " + w[2];
            case "remove-peer":
                node.removePeer(w[2]);
                return "removed " + w[2];
            default:
                throw new IllegalArgumentException("unknown command " + w[1]);
        }
    }
}
