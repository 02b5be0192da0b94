package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ConfigException;
import io.resh.core.InjectedFault;
import io.resh.core.ReshException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code resh inject crash --replica 2}: injects a real fault into a replica of a running group. */
@Command(name = "inject", mixinStandardHelpOptions = true,
        description = "Inject a real fault into one replica and let resh mask it and recover the replica.")
public final class InjectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FAULT", completionCandidates = FaultNames.class,
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String fault;

    @Option(names = {"-r", "--replica"}, required = true, paramLabel = "N", description = "Replica index, from 0.")
    int replica;

    @Option(names = {"-g", "--group"}, paramLabel = "NAME", description = "Group (needed when several run).")
    String group;

    @Option(names = "--arg", paramLabel = "N", description = "The fault's parameter: delay in ms for slow, bit index "
            + "for reply-corruption, random seed for state-corruption and ipc-garbage (default: chosen by the server).")
    Long arg;

    @Mixin
    AdminClient.Options admin = new AdminClient.Options();

    @Spec
    CommandSpec spec;

    public InjectCommand() {
    }

    /** The fault labels, for help text and shell completion. */
    static final class FaultNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(InjectedFault.values()).map(InjectedFault::label).iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        InjectedFault kind;
        try {
            kind = InjectedFault.parse(fault);
        } catch (IllegalArgumentException e) {
            // a usage error, as picocli's own are: status 2, not the 1 of a call that failed
            throw new ConfigException("FAULT", e.getMessage());
        }
        try {
            AdminClient client = AdminClient.connect(admin, group);
            String name = client.chooseGroup(group);
            ObjectNode body = AdminClient.json().createObjectNode();
            body.put("fault", kind.label());
            body.put("replica", replica);
            if (arg != null) {
                body.put("arg", arg);
            }
            JsonNode r = client.post("/api/groups/" + AdminClient.segment(name) + "/inject", body);
            String verb = "done".equals(r.path("status").asText()) ? "injected" : "requested";
            out.printf("%s %s into %s replica %d: %s%n", verb, kind.label(), name, replica, r.path("detail").asText());
            out.flush();
            return 0;
        } catch (AdminClient.ServerNotChosen e) {
            throw e; // a usage error: the command line answers it with status 2
        } catch (ReshException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("resh inject: " + e.getMessage());
            return 1;
        }
    }
}
