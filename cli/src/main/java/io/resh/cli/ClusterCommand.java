package io.resh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ReshException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code resh cluster}: the hosts of a resh cluster through a host's admin API. {@code add} and
 * {@code remove} are Raft membership changes; any member's admin API takes them (the change goes to the
 * leader). See docs/CLUSTER.md.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Show the hosts of a resh cluster, add or remove one (Raft membership change), or move the leader.",
                "Talks to a cluster host's admin API (--url, --token-file as for `resh status`)."},
        subcommands = {ClusterCommand.Status.class, ClusterCommand.Add.class, ClusterCommand.Remove.class,
                ClusterCommand.Leader.class})
public final class ClusterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public ClusterCommand() {
    }

    /** Without a command: the usage on stderr and the usage status, so that a script notices. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    /** {@code resh cluster status}: one row per host given with {@code --url}, then the members. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "One row per host (--url once per host): role, leader, term, commit, applied, replicas.",
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:every host answered and its group or gateway is serving",
                    "1:a host could not be asked or did not answer",
                    "2:a bad option, or several servers run and no --url picks one",
                    "3:every host answered, and one's group or gateway failed stop, has too few live servers to"
                            + " vote, or is restarting"})
    static final class Status implements Callable<Integer> {
        @Mixin
        AdminClient.HostsOptions admin = new AdminClient.HostsOptions();

        @Option(names = "--json", description = "Print each host's /api/cluster JSON in an array.")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                List<ClusterTable.Answer> answers = ClusterTable.ask(AdminClient.connectEach(admin));
                if (json) {
                    out.println(AdminClient.json().writerWithDefaultPrettyPrinter()
                            .writeValueAsString(ClusterTable.json(answers)));
                } else {
                    ClusterTable.rows(out, answers);
                    answers.stream().filter(a -> a.status() != null).findFirst()
                            .ifPresent(a -> out.println("members (as " + a.status().path("id").asText() + " sees them): "
                                    + ClusterTable.members(a.status())));
                }
                out.flush();
                return ClusterTable.exitStatus(answers);
            } catch (AdminClient.ServerNotChosen e) {
                throw e; // a usage error: the command line answers it with status 2
            } catch (ReshException | JsonProcessingException e) {
                spec.commandLine().getErr().println("resh cluster status: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code resh cluster add --id h4 --address H:P --client H:P}: adds a host started with {@code --join}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a host to the cluster; returns once the new configuration is committed.",
                    "Start the host first with `resh serve CONFIG --id ID --join`; it catches up",
                    "after it was added."})
    static final class Add implements Callable<Integer> {
        @Mixin
        AdminClient.Options admin = new AdminClient.Options();

        @Option(names = "--id", required = true, paramLabel = "ID", description = "The new host's peer id.")
        String id;

        @Option(names = "--address", required = true, paramLabel = "HOST:PORT",
                description = "Where the new host's Raft server listens (its cluster.peers address).")
        String address;

        @Option(names = "--client", required = true, paramLabel = "HOST:PORT",
                description = "Where the new host's front door listens for resh clients.")
        String client;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ObjectNode body = AdminClient.json().createObjectNode().put("id", id).put("address", address)
                    .put("client", client);
            return change(spec, "add", () -> AdminClient.connect(admin).post("/api/cluster/peers", body));
        }
    }

    /** {@code resh cluster remove ID}: removes a host; it stops receiving the log. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Remove a host from the cluster; returns once the new configuration is committed.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        AdminClient.Options admin = new AdminClient.Options();

        @Parameters(index = "0", paramLabel = "ID", description = "The peer id of the host to remove.")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return change(spec, "remove", () -> AdminClient.connect(admin).delete("/api/cluster/peers/" + AdminClient.segment(id)));
        }
    }

    /** {@code resh cluster leader ID}: hands the leader role to another member, e.g. before maintenance. */
    @Command(name = "leader", mixinStandardHelpOptions = true,
            description = "Hand the leader role to member ID (Raft leadership transfer); returns once it leads.")
    static final class Leader implements Callable<Integer> {
        @Mixin
        AdminClient.Options admin = new AdminClient.Options();

        @Parameters(index = "0", paramLabel = "ID", description = "The peer id of the member that should lead.")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ObjectNode body = AdminClient.json().createObjectNode().put("id", id);
            return change(spec, "leader", () -> AdminClient.connect(admin).post("/api/cluster/leader", body));
        }
    }

    private interface Call {
        JsonNode send();
    }

    private static int change(CommandSpec spec, String what, Call call) {
        try {
            JsonNode r = call.send();
            spec.commandLine().getOut().println(r.path("status").asText(what) + " " + r.path("id").asText()
                    + "; members: " + ClusterTable.memberIds(r.path("peers")));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (AdminClient.ServerNotChosen e) {
            throw e; // a usage error: the command line answers it with status 2
        } catch (ReshException e) {
            spec.commandLine().getErr().println("resh cluster " + what + ": " + e.getMessage());
            return 1;
        }
    }
}
