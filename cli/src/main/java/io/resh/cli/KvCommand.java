package io.resh.cli;

import io.resh.client.ReshClient;
import io.resh.core.ConfigException;
import io.resh.examples.kv.KvReply;
import io.resh.examples.kv.KvRequests;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** A command-line client for the key-value example ({@code examples/kv.yaml}). */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = {"Talk to a running KV group (./resh serve examples/kv.yaml).",
                "  resh kv set KEY VALUE | get KEY | del KEY | incr KEY | size | mtime KEY"},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {CallCommand.EXIT_OK, CallCommand.EXIT_REFUSED, CallCommand.EXIT_NO_ANSWER})
final class KvCommand implements Callable<Integer> {
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Front door address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "7400", description = "Front door port (default: ${DEFAULT-VALUE}).")
    int port;

    @Parameters(index = "0", paramLabel = "OP", description = "set, get, del, incr, size or mtime")
    String op;

    @Parameters(index = "1..*", paramLabel = "ARG")
    List<String> args = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CallCommand.checkPort(port);
        byte[] request = switch (op) {
            case "set" -> KvRequests.set(arg(0), arg(1));
            case "get" -> KvRequests.get(arg(0));
            case "del" -> KvRequests.del(arg(0));
            case "incr" -> KvRequests.incr(arg(0));
            case "size" -> KvRequests.size();
            case "mtime" -> KvRequests.mtime(arg(0));
            default -> throw ConfigException.expected("OP", "set, get, del, incr, size or mtime", "'" + op + "'");
        };
        int takes = op.equals("set") ? 2 : op.equals("size") ? 0 : 1;
        if (args.size() > takes) { // 'kv incr visits 5' must not pass for an increment by 5
            throw wrongArguments();
        }
        return CallCommand.send(spec, () -> {
            try (ReshClient client = ReshClient.connect(host, port)) {
                // As resh call's default: longer than a cluster's requestTimeout, so the host's own error comes first.
                return client.call(request, Duration.ofSeconds(15));
            }
        }, bytes -> {
            KvReply reply = KvRequests.decodeReply(bytes);
            System.out.println(reply instanceof KvReply.Value v ? v.utf8() : reply.toString());
        });
    }

    private String arg(int i) {
        if (i >= args.size()) {
            throw wrongArguments();
        }
        return args.get(i);
    }

    /** The op's arguments, as the op's name and what it takes: {@code incr: expected KEY, got 'visits' '5'}. */
    private ConfigException wrongArguments() {
        String takes = op.equals("set") ? "KEY VALUE" : op.equals("size") ? "no arguments" : "KEY";
        String got = args.isEmpty() ? "none" : args.stream().map(a -> "'" + a + "'").collect(Collectors.joining(" "));
        return ConfigException.expected(op, takes, got);
    }
}
