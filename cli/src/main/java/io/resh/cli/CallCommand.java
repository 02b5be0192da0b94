package io.resh.cli;

import io.resh.client.ReshClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Sends one request to a group's front door and prints the voted reply. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Send one request (UTF-8 text, or hex with --hex) to a running group and print the voted reply.")
final class CallCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Front door address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "7400", description = "Front door port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--hex", description = "The request is hex; print the reply as hex.")
    boolean hex;

    // Longer than a cluster's default requestTimeout (10 s): the host's own error, which says whether the request
    // may still take effect, arrives before the client gives up.
    @Option(names = "--timeout", defaultValue = "15s", description = "How long to wait (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Parameters(index = "0", paramLabel = "REQUEST")
    String request;

    @Override
    public Integer call() {
        byte[] req;
        try {
            req = hex ? java.util.HexFormat.of().parseHex(request) : request.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--hex: '" + request + "' is not an even number of hexadecimal digits (" + e.getMessage() + ")");
        }
        try (ReshClient client = ReshClient.connect(host, port)) {
            byte[] reply = client.call(req, io.resh.core.Durations.parse("--timeout", timeout));
            System.out.println(hex ? java.util.HexFormat.of().formatHex(reply) : new String(reply, StandardCharsets.UTF_8));
            return 0;
        }
    }

}
