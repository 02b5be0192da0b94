package io.resh.gateway.testing;

import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Runs a gateway from a YAML file in its own JVM, prints {@code pids: P1,P2,...} (its servers) once it
 * serves, and runs until killed: for tests of what happens to the servers when the gateway dies.
 *
 * <pre>java -cp ... GatewayMain CONFIG</pre>
 */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        Gateway g = Gateway.start(GatewayConfig.load(Path.of(args[0])));
        System.out.println("pids: " + g.status().replicas().stream().map(r -> Long.toString(r.pid()))
                .collect(Collectors.joining(",")));
        System.out.flush();
        g.awaitClosed();
    }
}
