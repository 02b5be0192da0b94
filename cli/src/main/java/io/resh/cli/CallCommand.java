package io.resh.cli;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Sends one request to a group's front door and prints the voted reply. */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Send one request (UTF-8 text, or hex with --hex) to a running group and print the voted reply.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {CallCommand.EXIT_OK, CallCommand.EXIT_REFUSED, CallCommand.EXIT_NO_ANSWER})
final class CallCommand implements Callable<Integer> {
    /**
     * The group could not be asked or did not answer, or answered that the outcome is not known yet. Its own code,
     * apart from the 2 of a bad option or of a refusal the group answered with: the request may have taken effect
     * or may yet, so a script asks again (after checking, for one not safe to apply twice), as it does not for 2.
     */
    static final int NO_ANSWER = 3;
    static final String EXIT_OK = "0:the voted reply was printed";
    static final String EXIT_REFUSED = "2:a bad option, or the group refused the request (the service threw;"
            + " fail-stop, unavailable, bad request)";
    static final String EXIT_NO_ANSWER = "3:no answer, so the outcome is unknown: nothing accepts connections at"
            + " --host and --port, the connection was lost, no reply came in time, or the group answered that it did"
            + " not finish in time (outcome unknown: it may or may not have taken effect)";

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

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        checkPort(port);
        byte[] req;
        try {
            req = hex ? java.util.HexFormat.of().parseHex(request) : request.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ConfigException.expected("REQUEST", "hexadecimal digits, two per byte (--hex)", "'" + request + "'");
        }
        Duration wait = Durations.parse("--timeout", timeout);
        // Zero sent the request and gave up at once: a write took effect while the exit status said "ask again".
        ConfigException.requirePositive("--timeout", wait);
        return send(spec, () -> {
            try (ReshClient client = ReshClient.connect(host, port)) {
                return client.call(req, wait);
            }
        }, reply -> System.out.println(hex ? java.util.HexFormat.of().formatHex(reply) : new String(reply, StandardCharsets.UTF_8)));
    }

    /** As {@code resh serve} checks its own: {@code -p 99999} failed in the JDK's words, not naming --port. */
    static void checkPort(int port) {
        ConfigException.requireBetween("--port", port, 1, 65535);
    }

    /**
     * Sends with {@code call} and prints the reply, or says in one line why no reply came and returns
     * {@link #NO_ANSWER}. So does a reply whose outcome is unknown (not committed in time): like a lost connection,
     * it is no refusal. Any other error the group answered with is left to the command line's handler (status 2).
     */
    static int send(CommandSpec spec, Supplier<byte[]> call, Consumer<byte[]> print) {
        byte[] reply;
        try {
            reply = call.get();
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + Resh.oneLine(e));
            return NO_ANSWER;
        } catch (ReshRemoteException e) {
            if (e.status() != ClientProtocol.STATUS_OUTCOME_UNKNOWN) {
                throw e;
            }
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + Resh.oneLine(e));
            return NO_ANSWER;
        }
        print.accept(reply);
        return 0;
    }
}
