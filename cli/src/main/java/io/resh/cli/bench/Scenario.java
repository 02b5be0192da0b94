package io.resh.cli.bench;

/** One {@code resh bench} scenario: it starts what it compares, measures it, and stops it again. */
public interface Scenario {

    /** The name on the command line, e.g. {@code kv-small}. */
    String name();

    /** One line for {@code resh bench list}. */
    String summary();

    /**
     * Runs the scenario.
     *
     * @throws ScenarioUnavailableException if something it needs is missing (a tool, a module)
     */
    ScenarioReport run(BenchOptions options) throws Exception;
}
