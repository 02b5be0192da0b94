package io.resh.host.testing;

import io.resh.host.GroupStatus;
import io.resh.host.ReplicaGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;

/**
 * A host process for tests that stop the host itself (SIGSTOP): starts a 3-replica {@link CounterService}
 * group, prints {@code ready}, then answers commands on stdin: {@code add} sends {@code add:1} and prints
 * {@code reply N}; {@code status} prints {@code faults F incarnations I0,I1,I2}. Closes the group at EOF.
 */
public final class HostThatServes {
    private HostThatServes() {
    }

    public static void main(String[] args) throws Exception {
        try (ReplicaGroup group = ReplicaGroup.start(TestGroups.counter(args[0], 3).build());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            System.out.println("ready");
            System.out.flush();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("add")) {
                    byte[] reply = group.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
                    System.out.println("reply " + new String(reply, StandardCharsets.UTF_8));
                } else if (line.equals("status")) {
                    GroupStatus s = group.status();
                    long faults = s.counters().entrySet().stream().filter(c -> c.getKey().startsWith("faults."))
                            .mapToLong(c -> c.getValue()).sum();
                    System.out.println("faults " + faults + " incarnations " + s.replicaStates().stream()
                            .map(r -> Integer.toString(r.incarnation())).collect(Collectors.joining(",")));
                }
                System.out.flush();
            }
        }
    }
}
