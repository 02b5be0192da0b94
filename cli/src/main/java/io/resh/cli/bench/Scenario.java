package io.resh.cli.bench;

import java.util.Set;

/** One {@code resh bench} scenario: it starts what it compares, measures it, and stops it again. */
public interface Scenario {

    /** The name on the command line, e.g. {@code kv-small}. */
    String name();

    /** One line for {@code resh bench list}. */
    String summary();

    /**
     * The options of {@link #SPECIFIC} this scenario reads; {@code resh bench} refuses the others for it, which it
     * would silently ignore (a run with {@code --state-mb 1} of a scenario that keeps no state measured the default).
     */
    Set<String> options();

    /** The options that only some scenarios read; every scenario reads the others ({@code --duration}, {@code --rounds}). */
    Set<String> SPECIFIC = Set.of("--window", "--connections", "--state-mb", "--rate", "--pin", "--checkpoint-every", "--seed");

    /**
     * Runs the scenario.
     *
     * @throws ScenarioUnavailableException if something it needs is missing (a tool, a module)
     */
    ScenarioReport run(BenchOptions options) throws Exception;
}
