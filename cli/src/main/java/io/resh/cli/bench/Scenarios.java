package io.resh.cli.bench;

import io.resh.core.ConfigException;
import java.util.List;
import java.util.stream.Collectors;

/** The scenarios {@code resh bench} knows, by name. */
public final class Scenarios {
    private static final List<Scenario> ALL = List.of(new KvSmallScenario(), new Aes64kScenario(),
            new RecoveryScenario(), new GatewayRedisScenario(), new ClusterScenario());

    private Scenarios() {
    }

    public static List<Scenario> all() {
        return ALL;
    }

    /** @throws ConfigException naming the known scenarios if {@code name} is not one */
    public static Scenario named(String name) {
        for (Scenario s : ALL) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw ConfigException.expected("SCENARIO", "one of " + ALL.stream().map(Scenario::name)
                .collect(Collectors.joining(", ")) + " (or list)", "'" + name + "'");
    }
}
