package io.resh.cli.bench;

/** Placeholder for the multi-host (D-RESH) benchmark, which needs the cluster module. */
final class ClusterScenario implements Scenario {
    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public String summary() {
        return "replicated across hosts (D-RESH): not available yet";
    }

    @Override
    public ScenarioReport run(BenchOptions options) {
        throw new ScenarioUnavailableException("scenario 'cluster' is not available yet: this build has no cluster"
                + " module (multi-host replication); it will compare a clustered group against one host once it has");
    }
}
